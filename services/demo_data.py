"""A realistic Vietnamese demo dataset, inserted set-based so a million customers take minutes.

Rows are generated in chunks and sent with executemany (one INSERT per chunk and
table); explicit ids let the child tables point at their parents without reading
them back. A second run adds customers after the existing ones and reuses staff,
teams and products, so it never duplicates or corrupts.
"""

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select, text

from models import (
    Appointment,
    Budget,
    BudgetLine,
    Campaign,
    CannedReply,
    Complaint,
    Customer,
    EmotionEntry,
    Gift,
    Interaction,
    Order,
    OrderLine,
    Policy,
    Product,
    SlaRule,
    SurveyAnswer,
    Team,
    User,
    db,
)
from services import search_index
from services.customers import search_text_for
from services.passwords import hash_password
from services.products import search_text_for as product_search_text
from services.text import fold

DEMO_PASSWORD = "cskh-demo-2026"

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Hoài", "Gia", "Bảo"]
GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Đạt",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Ngân",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Uyên",
    "Vân",
    "Việt",
    "Yến",
]
PROVINCES = [
    "Hà Nội",
    "TP. Hồ Chí Minh",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Bình Dương",
    "Đồng Nai",
    "Khánh Hòa",
    "Nghệ An",
    "Thừa Thiên Huế",
    "Quảng Ninh",
    "Lâm Đồng",
]
STREETS = [
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Điện Biên Phủ",
    "Cách Mạng Tháng Tám",
    "Phan Chu Trinh",
]
PREFIXES = [
    "090",
    "091",
    "093",
    "094",
    "096",
    "097",
    "098",
    "032",
    "033",
    "035",
    "038",
    "039",
    "070",
    "077",
    "079",
    "081",
    "083",
    "085",
    "088",
]
PRODUCTS = [
    ("Máy lọc nước RO", 5_490_000, 24),
    ("Nồi cơm điện cao tần", 2_390_000, 12),
    ("Quạt điều hòa", 3_150_000, 12),
    ("Bình nóng lạnh 30L", 3_890_000, 36),
    ("Máy hút bụi cầm tay", 1_790_000, 12),
    ("Bếp từ đôi", 6_200_000, 24),
    ("Nồi chiên không dầu", 1_590_000, 12),
    ("Máy xay sinh tố", 890_000, 6),
    ("Ấm siêu tốc", 390_000, 6),
    ("Máy sấy tóc", 450_000, 6),
    ("Tủ lạnh 2 cửa", 12_900_000, 24),
    ("Máy giặt cửa trước 9kg", 10_500_000, 24),
    ("Điều hòa 12000BTU", 9_800_000, 36),
    ("Lò vi sóng", 2_100_000, 12),
    ("Máy lọc không khí", 4_300_000, 12),
]
SUBJECTS = [
    ("product_quality", "Sản phẩm bị lỗi sau 2 tuần sử dụng"),
    ("delivery", "Giao hàng chậm so với hẹn"),
    ("billing", "Bị tính tiền hai lần"),
    ("service", "Nhân viên tư vấn chưa nhiệt tình"),
    ("warranty", "Yêu cầu bảo hành máy không lên nguồn"),
    ("technical", "Hướng dẫn cài đặt ứng dụng"),
    ("other", "Đề nghị xuất hóa đơn VAT"),
]
SUMMARIES = [
    "Khách hỏi về chương trình khuyến mãi",
    "Tư vấn chọn sản phẩm phù hợp",
    "Xác nhận đơn hàng",
    "Khách phản ánh giao hàng chậm",
    "Hướng dẫn sử dụng sản phẩm",
    "Gọi lại theo lịch hẹn",
    "Khách cảm ơn vì hỗ trợ nhanh",
    "Nhắc lịch bảo trì định kỳ",
]
CHANNELS = ["phone", "email", "chat", "in_person", "social"]
MOODS = ["delighted", "happy", "neutral", "worried", "disappointed", "angry"]
ORDER_STATUSES = [
    "new",
    "confirmed",
    "shipped",
    "delivered",
    "delivered",
    "delivered",
    "cancelled",
    "returned",
    "refunded",
]
SLA_HOURS = {"low": 120, "normal": 48, "high": 24, "urgent": 4}

CHUNK = 5_000


class _DemoSlots:
    """Distinct call times per agent for the seeded call-backs: the planner's grid, a few a day (the jobs
    add follow-ups and check-ins on top, up to the daily capacity)."""

    PER_DAY = 5

    def __init__(self):
        from services import call_plan, schedule

        step = timedelta(minutes=call_plan.grid_step(call_plan.capacity()))
        self.times = []
        for a, b in schedule.call_windows(None):
            t = datetime.combine(date.min, a)
            while t + timedelta(minutes=schedule.DEFAULT_DURATION) <= datetime.combine(date.min, b):
                self.times.append(t.time())
                t += step
        self.used: dict[tuple[int, date], int] = {}
        self.total: dict[int, int] = {}

    def has_room(self, agent_id: int) -> bool:
        return self.total.get(agent_id, 0) < self.PER_DAY * 14

    def next_for(self, agent_id: int, day: date) -> datetime:
        from services.formatting import local_tz

        while day.weekday() == 6 or self.used.get((agent_id, day), 0) >= self.PER_DAY:
            day += timedelta(days=1)
        n = self.used[(agent_id, day)] = self.used.get((agent_id, day), 0) + 1
        self.total[agent_id] = self.total.get(agent_id, 0) + 1
        slot = self.times[(n * 7) % len(self.times)]
        return datetime.combine(day, slot, tzinfo=local_tz()).astimezone(UTC)


def complaint_outcome(rng: random.Random, opened: datetime, now: datetime) -> tuple[str, datetime | None]:
    """(status, resolved_at) of a demo request opened at ``opened``: most are handled within days.

    Like a working queue, the chance that a request is still open falls with its age (80 % under
    2 days, 35 % under a week, 8 % under a month, 2 % older), so the backlog and its age buckets
    look like a department's, not like 60 % of four months of requests left open.
    """
    age_hours = (now - opened).total_seconds() / 3600
    age_days = age_hours / 24
    still_open = 0.8 if age_days < 2 else 0.35 if age_days < 7 else 0.08 if age_days < 30 else 0.02
    if age_hours < 1 or rng.random() < still_open:
        return rng.choice(("new", "in_progress", "waiting") if age_days >= 1 else ("new", "new", "in_progress")), None
    resolved = opened + timedelta(hours=rng.uniform(0.25, min(150.0, age_hours)))
    return ("closed" if rng.random() < 0.3 and resolved < now - timedelta(days=1) else "resolved"), resolved


def phone_for(index: int) -> str:
    """A unique 10-digit mobile number for every index below 190 million."""
    space = len(PREFIXES) * 10_000_000
    k = (index * 1_000_003) % space
    return f"{PREFIXES[k // 10_000_000]}{k % 10_000_000:07d}"


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def ensure_staff() -> dict:
    """The demo teams and accounts (created once); returns them grouped by role."""
    session = db.session
    if session.scalar(select(func.count()).select_from(User)) == 0:
        password = hash_password(DEMO_PASSWORD)
        teams = [
            Team(name=n, gift_allowance=a)
            for n, a in (("Nhóm Miền Bắc", 500_000), ("Nhóm Miền Trung", 500_000), ("Nhóm Miền Nam", 800_000))
        ]
        session.add_all(teams)
        session.flush()
        session.add(User(email="admin@cskh.vn", name="Quản trị hệ thống", role="admin", password_hash=password))
        session.add(User(email="truongphong@cskh.vn", name="Đặng Thu Hà", role="head", password_hash=password))
        leads = ["Phạm Minh Tuấn", "Lê Thị Hạnh", "Võ Quốc Bảo"]
        agent_names = [
            "Nguyễn Thảo",
            "Trần Hùng",
            "Bùi Lan",
            "Đỗ Nam",
            "Hồ Yến",
            "Ngô Phúc",
            "Dương Mai",
            "Lý Khánh",
            "Phan Uyên",
            "Vũ Long",
            "Huỳnh Ngân",
            "Hoàng Sơn",
        ]
        for t, team in enumerate(teams, start=1):
            lead = User(
                email=f"truongnhom{t}@cskh.vn", name=leads[t - 1], role="lead", team_id=team.id, password_hash=password
            )
            session.add(lead)
            session.flush()
            team.lead_id = lead.id
            for a in range(4):
                n = (t - 1) * 4 + a + 1
                session.add(
                    User(
                        email=f"nhanvien{n}@cskh.vn",
                        name=agent_names[n - 1],
                        role="agent",
                        team_id=team.id,
                        password_hash=password,
                    )
                )
        session.flush()
    users = session.scalars(select(User).where(User.active.is_(True))).all()
    return {
        "agents": [u for u in users if u.role == "agent"],
        "leads": [u for u in users if u.role == "lead"],
        "head": next((u for u in users if u.role == "head"), None),
    }


def ensure_reference_data(head_id: int | None) -> list[Product]:
    session = db.session
    if session.scalar(select(func.count()).select_from(SlaRule)) == 0:
        session.add_all([SlaRule(priority=p, hours=h) for p, h in SLA_HOURS.items()])
    if session.scalar(select(func.count()).select_from(Product)) == 0:
        for i, (name, price, warranty) in enumerate(PRODUCTS, start=1):
            session.add(
                Product(
                    sku=f"SP{i:04d}",
                    name=name,
                    price=price,
                    stock=random.randint(0, 400),
                    warranty_months=warranty,
                    description=f"{name} chính hãng",
                    search_text=product_search_text(f"SP{i:04d}", name),
                )
            )
    if session.scalar(select(func.count()).select_from(CannedReply)) == 0:
        session.add_all(
            [
                CannedReply(
                    title="Xin lỗi vì giao hàng chậm",
                    category="delivery",
                    body=(
                        "Dạ em chào anh/chị, em rất xin lỗi vì đơn hàng đến chậm. Em đã liên hệ đơn vị vận chuyển và "
                        "đơn sẽ được giao trong 24 giờ tới ạ."
                    ),
                ),
                CannedReply(
                    title="Hướng dẫn bảo hành",
                    category="warranty",
                    audience="customer",
                    body=(
                        "Anh/chị vui lòng mang sản phẩm kèm phiếu bảo hành đến trung tâm gần nhất hoặc gọi hotline "
                        "1900 1234 để được hỗ trợ tận nơi."
                    ),
                ),
                CannedReply(
                    title="Cảm ơn góp ý",
                    category="service",
                    body=("Cảm ơn anh/chị đã góp ý. Bộ phận CSKH đã ghi nhận và sẽ phản hồi trong vòng 48 giờ."),
                ),
            ]
        )
    if session.scalar(select(func.count()).select_from(Policy)) == 0:
        today = date.today()
        session.add_all(
            [
                Policy(
                    code="BH-01",
                    version=1,
                    title="Chính sách bảo hành",
                    kind="warranty",
                    status="published",
                    body="Sản phẩm được bảo hành theo thời hạn ghi trên phiếu.",
                    channels="website,store",
                    effective_from=today.replace(month=1, day=1),
                    author_id=head_id,
                ),
                Policy(
                    code="DT-01",
                    version=1,
                    title="Chính sách đổi trả 7 ngày",
                    kind="return",
                    status="published",
                    body="Đổi trả miễn phí trong 7 ngày nếu sản phẩm lỗi do nhà sản xuất.",
                    channels="website",
                    return_days=7,
                    effective_from=today.replace(month=1, day=1),
                    author_id=head_id,
                ),
                Policy(
                    code="KM-TET",
                    version=1,
                    title="Ưu đãi Tết",
                    kind="promotion",
                    status="draft",
                    body="Giảm 10% cho khách hàng thân thiết dịp Tết.",
                    author_id=head_id,
                ),
            ]
        )
    session.flush()
    return session.scalars(select(Product).order_by(Product.id)).all()


def ensure_budget(head_id: int | None) -> None:
    session = db.session
    if session.scalar(select(func.count()).select_from(Budget)):
        return
    today = date.today()
    q = (today.month - 1) // 3 + 1
    budget = Budget(
        year=today.year,
        quarter_no=q,
        quarter=f"{today.year}-Q{q}",
        title="Ngân sách CSKH",
        status="approved",
        created_by_id=head_id,
        team_key=0,
    )
    budget.lines = [
        BudgetLine(category="gifts", description="Quà sinh nhật và lễ Tết", planned=200_000_000),
        BudgetLine(category="campaigns", description="Chiến dịch chăm sóc", planned=80_000_000),
        BudgetLine(category="staff", description="Đào tạo nhân viên", planned=50_000_000),
        BudgetLine(category="tools", description="Tổng đài và phần mềm", planned=30_000_000),
    ]
    session.add(budget)
    session.flush()
    session.add(
        Campaign(
            name="Chúc mừng năm mới",
            occasion="tet",
            channel="email",
            message_subject="Chúc mừng năm mới",
            message_template="Kính gửi {name}, chúc anh/chị một năm mới an khang thịnh vượng!",
            status="draft",
            created_by_id=head_id,
            budget_line_id=budget.lines[1].id,
        )
    )


def seed(customers: int, progress: Callable[[int], None] | None = None, rng: random.Random | None = None) -> dict:
    """Add ``customers`` customers with their history; returns what was added per table."""
    rng = rng or random.Random(20261123)
    staff = ensure_staff()
    head_id = staff["head"].id if staff["head"] else None
    products = ensure_reference_data(head_id)
    ensure_budget(head_id)
    db.session.commit()

    agents = staff["agents"] or staff["leads"]
    by_team: dict[int | None, list[int]] = {}
    for a in agents:
        by_team.setdefault(a.team_id, []).append(a.id)
    now = datetime.now(UTC)
    demo_slots = _DemoSlots()
    ids = {
        m: _next_id(m)
        for m in (Customer, Interaction, Order, OrderLine, Complaint, EmotionEntry, SurveyAnswer, Gift, Appointment)
    }
    counts = dict.fromkeys(
        (
            "customers",
            "interactions",
            "orders",
            "order_lines",
            "complaints",
            "emotions",
            "surveys",
            "gifts",
            "appointments",
        ),
        0,
    )
    taken = set()
    start_index = ids[Customer]
    done = 0
    while done < customers:
        n = min(CHUNK, customers - done)
        rows = {k: [] for k in counts}
        candidate_phones = [phone_for(start_index + done + i) for i in range(n)]
        taken = set(db.session.scalars(select(Customer.phone).where(Customer.phone.in_(candidate_phones))))
        for i in range(n):
            phone = candidate_phones[i]
            if phone in taken:
                continue
            cid = ids[Customer]
            ids[Customer] += 1
            agent = rng.choice(agents)
            name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            birthday = date(rng.randint(1955, 2004), 1, 1) + timedelta(days=rng.randint(0, 364))
            email = f"kh{cid}@example.vn" if rng.random() < 0.7 else None
            created = now - timedelta(days=rng.randint(1, 900))
            last_contact = now - timedelta(days=rng.randint(0, 200), minutes=rng.randint(0, 1440))
            rows["customers"].append(
                dict(
                    id=cid,
                    name=name,
                    phone=phone,
                    email=email,
                    address=f"{rng.randint(1, 300)} {rng.choice(STREETS)}",
                    province=rng.choice(PROVINCES),
                    birthday=birthday,
                    birth_month=birthday.month,
                    birth_day=birthday.day,
                    kind=rng.choices(["customer", "supplier", "partner"], [90, 5, 5])[0],
                    potential=rng.choice(["low", "medium", "high"]),
                    is_vip=rng.random() < 0.08,
                    owner_id=agent.id,
                    team_id=agent.team_id,
                    consent_contact=rng.random() < 0.9,
                    contact_from=time(8, 0) if rng.random() < 0.3 else None,
                    contact_to=time(20, 0) if rng.random() < 0.3 else None,
                    notes=None,
                    last_contact_at=last_contact,
                    search_text=search_text_for(name, phone, email),
                    created_at=created,
                    updated_at=created,
                )
            )
            team_agents = by_team.get(agent.team_id, [agent.id])
            for _ in range(rng.choice((3, 4, 5, 6, 7))):
                rows["interactions"].append(
                    dict(
                        id=ids[Interaction],
                        customer_id=cid,
                        channel=rng.choice(CHANNELS),
                        direction=rng.choice(("inbound", "outbound")),
                        summary=rng.choice(SUMMARIES),
                        agent_id=rng.choice(team_agents),
                        occurred_at=now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440)),
                        duration_seconds=rng.randint(30, 1200),
                        outcome=rng.choice(("answered", "resolved", "follow_up", "no_answer")),
                    )
                )
                ids[Interaction] += 1
            order_ids = []
            for _ in range(rng.choice((1, 2, 2, 3))):
                oid = ids[Order]
                ids[Order] += 1
                order_ids.append(oid)
                total = 0
                for _ in range(rng.choice((1, 1, 2))):
                    product = rng.choice(products)
                    qty = rng.choice((1, 1, 2))
                    total += qty * product.price
                    rows["order_lines"].append(
                        dict(
                            id=ids[OrderLine],
                            order_id=oid,
                            product_id=product.id,
                            quantity=qty,
                            unit_price=product.price,
                        )
                    )
                    ids[OrderLine] += 1
                created_o = now - timedelta(days=rng.randint(0, 365))
                status = rng.choice(ORDER_STATUSES)
                rows["orders"].append(
                    dict(
                        id=oid,
                        customer_id=cid,
                        status=status,
                        invoice_number=f"HD{oid:08d}",
                        total=total,
                        carrier=rng.choice(("GHN", "GHTK", "Viettel Post", "J&T")) if status != "new" else None,
                        tracking_code=f"VN{oid:010d}" if status in ("shipped", "delivered") else None,
                        expected_delivery=(created_o + timedelta(days=3)).date(),
                        created_at=created_o,
                        updated_at=created_o,
                    )
                )
            if rng.random() < 0.3:
                category, subject = rng.choice(SUBJECTS)
                priority = rng.choice(("low", "normal", "normal", "high", "urgent"))
                opened = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23))
                status, resolved = complaint_outcome(rng, opened, now)
                rows["complaints"].append(
                    dict(
                        id=ids[Complaint],
                        customer_id=cid,
                        kind=rng.choice(("complaint", "support", "warranty")),
                        subject=subject,
                        subject_folded=fold(subject),
                        description=f"{subject}. Khách mong được hỗ trợ sớm.",
                        category=category,
                        priority=priority,
                        status=status,
                        assignee_id=agent.id,
                        team_id=agent.team_id,
                        due_at=opened + timedelta(hours=SLA_HOURS[priority]),
                        opened_at=opened,
                        resolved_at=resolved,
                        closed_at=resolved + timedelta(days=1) if status == "closed" else None,
                        resolution="Đã xử lý theo chính sách" if resolved else None,
                        first_contact_resolved=bool(resolved) and rng.random() < 0.4,
                        satisfaction=rng.randint(1, 5) if status == "closed" else None,
                        order_id=order_ids[0],
                        channel=rng.choice(CHANNELS),
                        created_at=opened,
                        updated_at=opened,
                    )
                )
                ids[Complaint] += 1
            if rng.random() < 0.5:
                rows["emotions"].append(
                    dict(
                        id=ids[EmotionEntry],
                        customer_id=cid,
                        mood=rng.choice(MOODS),
                        note="Khách chia sẻ trải nghiệm gần đây",
                        next_care="Gọi hỏi thăm sau 1 tháng",
                        author_id=agent.id,
                        created_at=now - timedelta(days=rng.randint(0, 300)),
                    )
                )
                ids[EmotionEntry] += 1
            if rng.random() < 0.2:
                rows["surveys"].append(
                    dict(
                        id=ids[SurveyAnswer],
                        customer_id=cid,
                        csat=rng.randint(1, 5),
                        nps=rng.randint(0, 10),
                        comment=None,
                        order_id=order_ids[0],
                        answered_at=now - timedelta(days=rng.randint(0, 300)),
                    )
                )
                ids[SurveyAnswer] += 1
            if rng.random() < 0.02 and demo_slots.has_room(agent.id):
                rows["appointments"].append(
                    dict(
                        id=ids[Appointment],
                        customer_id=cid,
                        agent_id=agent.id,
                        kind="call_back",
                        purpose="Gọi lại tư vấn sản phẩm",
                        status="planned",
                        starts_at=demo_slots.next_for(agent.id, (now + timedelta(days=rng.randint(1, 14))).date()),
                        duration_minutes=15,
                        customer_requested=False,
                        created_at=now,
                        updated_at=now,
                    )
                )
                ids[Appointment] += 1
        for key, model in (
            ("customers", Customer),
            ("orders", Order),
            ("order_lines", OrderLine),
            ("complaints", Complaint),
            ("interactions", Interaction),
            ("emotions", EmotionEntry),
            ("surveys", SurveyAnswer),
            ("appointments", Appointment),
        ):
            if rows[key]:
                db.session.execute(insert(model), rows[key])
                counts[key] += len(rows[key])
        db.session.commit()
        done += n
        if progress:
            progress(n)
    fix_sequences()
    # rows inserted in bulk pass no ORM event: MariaDB's search keys are built for them here
    search_index.refresh_search_keys(db.engine, start_index, ids[Customer] - 1)
    return counts


def fix_sequences() -> None:
    """PostgreSQL sequences do not see explicit ids: move them past the largest."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in (
        "customers",
        "interactions",
        "orders",
        "order_lines",
        "complaints",
        "emotion_entries",
        "survey_answers",
        "gifts",
        "appointments",
    ):
        db.session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
            )
        )
    db.session.commit()
