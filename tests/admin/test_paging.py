"""Fast list pages (admin/listing/paging.py): fixed query count, capped count, keyset pages, scope kept."""

import re
import time
from contextlib import contextmanager

import pytest
from flask_admin.contrib.sqla import filters as sqla_filters
from sqlalchemy import delete, event, func, select

from models import AuditLog, Customer, Interaction, Team
from tests import factories as f

ROW_ID = re.compile(r"/admin/customers/details/\?id=(\d+)")
NEXT = re.compile(r'rel="next" href="([^"]+)"')


@contextmanager
def counted(db):
    """Every SQL statement the block sends, from an SQLAlchemy ``before_cursor_execute`` listener."""
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if "approvals_waiting" not in statement:  # the navbar's inbox count: one statement on every page, apart
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def row_ids(html: str) -> list[int]:
    return list(dict.fromkeys(int(i) for i in ROW_ID.findall(html)))


def view_of(app, endpoint):
    return next(v for v in app.extensions["cskh_admin"]._views if getattr(v, "endpoint", None) == endpoint)


def filter_key(view, column, kind=sqla_filters.FilterEqual) -> str:
    return next(
        k
        for k, (_i, flt) in view._filter_args.items()
        if str(flt.column) == str(column.expression) and isinstance(flt, kind)
    )


def seed_customers(db, n: int, teams: int = 3, name="Khách"):
    agents = [f.make_user("agent") for _ in range(teams)]
    for i in range(n):
        f.make_customer(f"{name} {i % 17:02d}", owner=agents[i % teams], potential=("high", "low")[i % 2])
    db.session.commit()
    return agents


def test_customer_list_costs_the_same_few_queries_at_any_page_size(app, db, login_as):
    seed_customers(db, 120)
    head = login_as("head")
    counts = {}
    for size in (20, 100):
        with counted(db) as statements:
            response = head.get(f"/admin/customers/?page_size={size}")
        assert response.status_code == 200
        assert len(row_ids(response.get_data(as_text=True))) == size
        counts[size] = len(statements)
    assert counts[20] == counts[100] <= 4, counts
    # owners and teams are shown: their names come with the rows, not one query per row
    assert "Agent" in response.get_data(as_text=True)


def test_audit_list_costs_the_same_few_queries_at_any_page_size(app, db, login_as):
    actors = [f.make_user("agent") for _ in range(5)]
    for i in range(110):
        db.session.add(AuditLog(action="update", object_type="Customer", object_id=str(i), user_id=actors[i % 5].id))
    db.session.commit()
    admin = login_as("admin")
    counts = {}
    for size in (20, 100):
        with counted(db) as statements:
            response = admin.get(f"/admin/audit/?page_size={size}")
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[20] == counts[100] <= 4, counts


def test_staff_list_with_team_relationship_costs_few_queries(app, db, login_as):
    teams = [f.make_team() for _ in range(6)]
    for i in range(60):
        f.make_user("agent", team=teams[i % 6])
    db.session.commit()
    admin = login_as("admin")
    counts = {}
    for size in (20, 50):
        with counted(db) as statements:
            response = admin.get(f"/admin/staff/?page_size={size}")
        assert response.status_code == 200
        counts[size] = len(statements)
    assert counts[20] == counts[50] <= 4, counts
    assert db.session.scalar(select(Team.name).where(Team.id == teams[5].id)) in response.get_data(as_text=True)


def test_count_stops_at_the_cap_and_says_so(app, db, login_as, monkeypatch):
    seed_customers(db, 12)
    head = login_as("head")
    view = view_of(app, "customers")
    monkeypatch.setattr(view, "count_cap", 5)
    html = head.get("/admin/customers/").get_data(as_text=True)
    assert "(5+)" in html
    assert len(row_ids(html)) == 12  # the cap limits the count, never the rows
    monkeypatch.setattr(view, "count_cap", 12)
    html = head.get("/admin/customers/").get_data(as_text=True)
    assert "(12)" in html and "(12+)" not in html
    # a search counts to its own, lower cap
    monkeypatch.setattr(view, "search_count_cap", 3)
    html = head.get("/admin/customers/?search=khach").get_data(as_text=True)
    assert "(3+)" in html


def test_a_count_at_its_cap_is_believed_for_a_while_and_exact_counts_never(app, db, login_as, monkeypatch):
    from admin.listing import paging

    agents = seed_customers(db, 12)
    head, agent = login_as("head"), login_as(agents[0])
    monkeypatch.setattr(view_of(app, "customers"), "count_cap", 5)
    assert "(5+)" in head.get("/admin/customers/").get_data(as_text=True)
    with counted(db) as statements:
        assert "(5+)" in head.get("/admin/customers/").get_data(as_text=True)
    lists = [s.lower() for s in statements if "approvals_waiting" not in s]  # the navbar's inbox badge counts apart
    assert not any("count(" in s for s in lists)  # reached the cap a moment ago: not counted again
    # another scope is another statement: the agent's 4 customers are counted, exactly, every time
    for expected in (4, 5):
        with counted(db) as statements:
            assert f"({expected})" in agent.get("/admin/customers/").get_data(as_text=True)
        assert any("count(" in s.lower() for s in statements)
        f.make_customer("Khách mới", owner=agents[0])
        db.session.commit()
    # past its time the capped count is taken again: now below the cap after a mass delete
    db.session.execute(delete(Customer).where(Customer.name != "Khách mới"))
    db.session.commit()
    assert "(5+)" in head.get("/admin/customers/").get_data(as_text=True)  # still believed (at most 30 s)
    later = time.monotonic() + paging.CAPPED_FOR_SECONDS + 1
    monkeypatch.setattr(paging.time, "monotonic", lambda: later)
    assert "(2)" in head.get("/admin/customers/").get_data(as_text=True)


@pytest.mark.parametrize("sort", ["", "&sort=0", "&sort=0&desc=1"])
def test_pages_by_offset_and_by_keyset_match_a_plain_ordered_query(app, db, login_as, sort):
    seed_customers(db, 70)
    head = login_as("head")
    if sort == "":
        order = [Customer.id.desc()]
    elif "desc" in sort:
        order = [Customer.name.desc(), Customer.id.desc()]
    else:
        order = [Customer.name.asc(), Customer.id.asc()]
    expected = list(db.session.scalars(select(Customer.id).order_by(*order)))

    by_offset = []
    for page in range(4):
        by_offset += row_ids(head.get(f"/admin/customers/?page={page}{sort}").get_data(as_text=True))
    assert by_offset == expected

    by_keyset, url = [], f"/admin/customers/?page_size=20{sort}"
    while url:
        html = head.get(url).get_data(as_text=True)
        by_keyset += row_ids(html)
        match = NEXT.search(html)
        url = match.group(1).replace("&amp;", "&") if match else None
        assert url is None or "after=" in url
    assert by_keyset == expected


@pytest.mark.parametrize("sort", ["", "&sort=0", "&sort=0&desc=1"])
def test_a_search_page_matches_once_and_shows_what_a_plain_query_does(app, db, login_as, monkeypatch, sort):
    seed_customers(db, 45, name="Trần Thị Lan")
    seed_customers(db, 5, name="Phạm Minh")
    head = login_as("head")
    view = view_of(app, "customers")
    monkeypatch.setattr(view, "search_count_cap", 30)
    order = {"": [Customer.id.desc()], "&sort=0": [Customer.name, Customer.id]}.get(
        sort, [Customer.name.desc(), Customer.id.desc()]
    )
    expected = list(db.session.scalars(select(Customer.id).where(Customer.search_text.like("% lan%")).order_by(*order)))
    assert len(expected) == 45
    head.get("/admin/customers/?search=warm")  # SQLite looks up its FTS table once per process
    shown = []
    for page in range(3):  # 20 + 20 + 5: the first page lies within the 31 matched ids, the third does not
        with counted(db) as statements:
            html = head.get(f"/admin/customers/?search=lan&page={page}{sort}").get_data(as_text=True)
        shown += row_ids(html)
        matching = [s for s in statements if "search_text LIKE" in s]
        assert len(statements) <= 4, [s[:60] for s in statements]
        if page == 0:
            assert len(matching) == 1, matching  # count and page from one pass over the matches
        assert "(30+)" in html
    assert shown == expected
    # fewer matches than the cap: exact count, every page from the same pass
    with counted(db) as statements:
        html = head.get(f"/admin/customers/?search=minh{sort}").get_data(as_text=True)
    assert "(5)" in html and len(row_ids(html)) == 5
    assert len([s for s in statements if "search_text LIKE" in s]) == 1


def test_sort_filter_and_search_stay_in_the_agents_team_on_every_page(app, db, login_as):
    mine = f.make_team()
    colleague = f.make_user("agent", team=mine)
    other = f.make_user("agent")
    for i in range(90):
        f.make_customer(
            f"Trần Thị Lan {i % 30:02d}", owner=(colleague, other)[i % 2], potential=("high", "low")[i % 3 == 0]
        )
    for i in range(10):
        f.make_customer(f"Phạm Minh {i:02d}", owner=colleague, potential="high")
    db.session.commit()
    agent = login_as("agent", team=mine)
    view = view_of(app, "customers")
    key = filter_key(view, Customer.potential)
    expected = list(
        db.session.scalars(
            select(Customer.id)
            .where(Customer.team_id == mine.id, Customer.potential == "high", Customer.search_text.like("%lan%"))
            .order_by(Customer.name.desc(), Customer.id.desc())
        )
    )
    assert 20 < len(expected) < 40
    theirs = set(db.session.scalars(select(Customer.id).where(Customer.team_id != mine.id)))

    base = f"/admin/customers/?search=LAN&flt0_{key}=high&sort=0&desc=1"
    by_offset = row_ids(agent.get(base).get_data(as_text=True)) + row_ids(
        agent.get(base + "&page=1").get_data(as_text=True)
    )
    assert by_offset == expected

    seen, url = [], base
    while url:
        html = agent.get(url).get_data(as_text=True)
        ids = row_ids(html)
        assert not set(ids) & theirs
        seen += ids
        match = NEXT.search(html)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert seen == expected

    # a keyset anchor from another team's row neither shows that row nor any of its team
    anchor = max(theirs)
    html = agent.get(f"{base}&after={anchor}").get_data(as_text=True)
    assert not set(row_ids(html)) & theirs


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_scoped_roles_list_page_costs_the_same_few_queries(app, db, login_as, role):
    team = f.make_team()
    colleagues = [f.make_user("agent", team=team) for _ in range(3)]
    for i in range(120):
        f.make_customer(f"Khách {i:03d}", owner=colleagues[i % 3])
    db.session.commit()
    client = login_as(role, team=team)
    counts = {}
    for size in (20, 100):
        with counted(db) as statements:
            response = client.get(f"/admin/customers/?page_size={size}")
        assert response.status_code == 200
        assert len(row_ids(response.get_data(as_text=True))) == size
        counts[size] = statements
    assert len(counts[20]) == len(counts[100]) <= 4, [s[:120] for s in counts[100]]


@pytest.mark.parametrize("role", ["head", "lead"])
def test_interaction_and_complaint_lists_cost_the_same_few_queries(app, db, login_as, role):
    team = f.make_team()
    agents = [f.make_user("agent", team=team) for _ in range(3)]
    customers = [f.make_customer(f"Khách {i:03d}", owner=agents[i % 3]) for i in range(40)]
    for i in range(120):
        customer = customers[i % 40]
        db.session.add(
            Interaction(customer_id=customer.id, channel="phone", summary=f"Gọi lần {i}", agent_id=agents[i % 3].id)
        )
        f.make_complaint(customer, assignee=agents[i % 3], subject=f"Lỗi {i}")
    db.session.commit()
    client = login_as(role, team=team)
    for endpoint in ("interactions", "complaints"):
        counts = {}
        for size in (20, 100):
            with counted(db) as statements:
                response = client.get(f"/admin/{endpoint}/?page_size={size}")
            assert response.status_code == 200, endpoint
            assert "Khách" in response.get_data(as_text=True)  # the customer column is filled
            counts[size] = statements
        assert len(counts[20]) == len(counts[100]) <= 4, (endpoint, [s[:150] for s in counts[100]])


# ---- row buttons: one shared delete form per page (admin/listing/row_buttons.py) ----
DELETE_FORM = re.compile(r'<form id="cskh-row-delete" method="POST" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
DELETE_BUTTON = re.compile(r'<button [^>]*form="cskh-row-delete" name="id" value="(\d+)"')
HIDDEN = re.compile(r'<input [^>]*name="(\w+)"[^>]*value="([^"]*)"|<input [^>]*value="([^"]*)"[^>]*name="(\w+)"')


def shared_delete_form(html: str) -> tuple[str, dict[str, str]]:
    """The page's one delete form: its action and hidden fields, as a browser would send them."""
    forms = DELETE_FORM.findall(html)
    assert len(forms) == 1, f"{len(forms)} shared delete forms"
    action, body = forms[0]
    fields = {}
    for name, value, value2, name2 in HIDDEN.findall(body):
        fields[name or name2] = (value if name else value2).replace("&amp;", "&")
    return action.replace("&amp;", "&"), fields


def test_list_page_has_one_delete_form_whatever_the_page_size(app, db, login_as):
    seed_customers(db, 120)
    head = login_as("head")
    shapes = {}
    for size in (20, 100):
        html = head.get(f"/admin/customers/?page_size={size}").get_data(as_text=True)
        ids = row_ids(html)
        assert len(ids) == size
        action, fields = shared_delete_form(html)
        assert action == "/admin/customers/delete/"
        assert set(fields) == {"url", "csrf_token"}  # the row's id comes from the clicked button only
        assert DELETE_BUTTON.findall(html) == [str(i) for i in ids]
        shapes[size] = (html.count("<form"), html.count('name="csrf_token"'))
    assert shapes[20] == shapes[100], shapes


def test_deleting_through_the_shared_form_works_in_scope_and_is_refused_outside(app, db, login_as):
    team = f.make_team()
    mate = f.make_user("agent", team=team)
    stranger = f.make_user("agent")
    mine = [f.make_customer(f"Khách nhóm {i}", owner=mate) for i in range(3)]
    theirs = f.make_customer("Khách nhóm khác", owner=stranger)
    db.session.commit()
    mine_ids, their_id = [c.id for c in mine], theirs.id
    lead = login_as("lead", team=team)

    html = lead.get("/admin/customers/").get_data(as_text=True)
    assert set(row_ids(html)) == set(mine_ids)
    assert sorted(DELETE_BUTTON.findall(html)) == sorted(str(i) for i in mine_ids)
    action, fields = shared_delete_form(html)

    # what the browser sends when a row's button submits the shared form: its fields + id=<button value>
    r = lead.post(action, {**fields, "id": mine_ids[0]}, csrf=False)
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Customer, mine_ids[0]) is None
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "delete")) is not None

    # the same form aimed at a row outside the lead's team: refused, nothing deleted or audited
    before = db.session.scalar(select(func.count()).select_from(AuditLog))
    r = lead.post(action, {**fields, "id": their_id}, csrf=False)
    assert r.status_code == 403
    # and without the page's CSRF token: refused before any delete
    r = lead.post(action, {"url": fields["url"], "id": mine_ids[1]}, csrf=False)
    assert r.status_code == 400
    db.session.expire_all()
    assert db.session.get(Customer, their_id) is not None
    assert db.session.get(Customer, mine_ids[1]) is not None
    assert db.session.scalar(select(func.count()).select_from(AuditLog)) == before


def test_row_buttons_follow_each_rows_scope_and_escape_their_urls(app, db, login_as):
    team = f.make_team()
    agent = f.make_user("agent", team=team)
    mate = f.make_user("agent", team=team)
    own = f.make_customer("Khách của tôi", owner=agent)
    other = f.make_customer("Khách của đồng nghiệp", owner=mate)
    db.session.commit()
    html = login_as(agent).get("/admin/customers/?search=kh%C3%A1ch").get_data(as_text=True)
    assert set(row_ids(html)) == {own.id, other.id}
    assert f"/admin/customers/edit/?id={own.id}&amp;url=" in html
    assert f"/admin/customers/edit/?id={other.id}&" not in html  # an agent edits only their own customers
    assert "cskh-row-delete" not in html  # and deletes none: no delete form, no delete button


def test_fast_row_buttons_match_url_for_and_escape_odd_ids(app):
    from flask_admin.model.template import DeleteRowAction, EditRowAction

    from admin.listing.row_buttons import button_function

    class Context:
        def __init__(self, values):
            self.values = values

        def resolve(self, name):
            return self.values[name]

    view = view_of(app, "customers")
    back = '/admin/customers/?search="><b>'
    with app.test_request_context("/admin/customers/"):
        for row_id in ("7", 'HN,SKU-1"><i>', "a b&c/ä"):
            link = button_function(EditRowAction(), view, Context({"return_url": back}))(row_id)
            expected = view.get_url(".edit_view", id=row_id, url=back).replace("&", "&amp;")
            assert f'href="{expected}"' in link
            button = button_function(DeleteRowAction(), view, Context({}))(row_id)
            assert "<b>" not in link + button and "<i>" not in link + button
            assert 'value="HN,SKU-1&#34;&gt;&lt;i&gt;"' in button or row_id != 'HN,SKU-1"><i>'


@pytest.mark.backends("sqlite")  # about the models' indexes, the same on every database
def test_every_sortable_column_of_the_big_lists_leads_an_index(app):
    """A sort on an unindexed column sorts every row: 0.1–1.4 s a page at a million customers. A column
    of a few values (choices, yes/no) needs (column, id): the list's tie-breaker, or PostgreSQL sorts
    every row of one value (50–250 ms)."""
    from sqlalchemy import Boolean

    missing = []
    for endpoint in ("customers", "interactions", "complaints", "orders"):
        view = view_of(app, endpoint)
        table = view.model.__table__
        pk = table.primary_key.columns[0]
        indexes = [list(i.columns) for i in table.indexes] + [
            list(c.columns) for c in table.constraints if getattr(c, "columns", None)
        ]
        for name, column in view._sortable_columns.items():
            own = getattr(column, "expression", column)
            if getattr(own, "table", None) is not table:
                continue  # a related model's column: sorted through its join
            few_values = name in (view.column_choices or {}) or isinstance(own.type, Boolean)
            wanted = [own, pk] if few_values and own is not pk else [own]
            if not any(cols[: len(wanted)] == wanted for cols in indexes):
                missing.append(f"{endpoint}.{name}")
    assert missing == []
