"""Every list and create page in Vietnamese, checked for the words that read wrong, the page's
language, the navbar's contrast, and labels that said "Họ tên" for a team or a campaign."""

import re
from pathlib import Path

import pytest

from tests.factories import make_team

KNOWN_WRONG = [
    "Kỷ lục",  # "a world record", for a record created
    "mặt hàng",  # "goods", for the rows of a list
    "Với lựa chọn",
    "Vui lòng chọn mẫu",
    "cái khác",
    "sản phẩm nào",  # the "empty" filter
    "Hồ Sơ Mới",
    "Failed to create record",
    "No matches found",
    "Users / ",
    "Teams / ",
    "Gift Allowance",
    "Last Login At",
    "Updated At",
]
ROOT = Path(__file__).resolve().parents[2]


def _pages(app, user) -> list[str]:
    """The list page of every view ``user`` may open, and its create page when the user may create."""
    from flask import url_for
    from flask_login import login_user

    urls = []
    with app.test_request_context():
        login_user(user)
        for view in app.extensions["cskh_admin"]._views:
            if not view.is_accessible() or not hasattr(view, "model"):
                continue
            urls.append(url_for(f"{view.endpoint}.index_view"))
            if getattr(view, "can_create", False):
                urls.append(url_for(f"{view.endpoint}.create_view"))
    return sorted(set(urls))


def _text(html: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", " ", html, flags=re.S)


@pytest.mark.parametrize("role", ["head", "admin", "lead", "agent"])
def test_every_list_and_create_page_reads_right_in_vietnamese(app, db, login_as, role):
    make_team("Nhóm Hà Nội")
    client = login_as(role)
    urls = _pages(app, client.user)
    assert len(urls) >= 5, urls
    problems = []
    for url in urls:
        response = client.get(url)
        html = response.get_data(as_text=True)
        if response.status_code != 200:
            problems.append(f"{url}: {response.status_code}")
            continue
        if '<html lang="vi"' not in html:
            problems.append(f"{url}: no lang")
        for word in KNOWN_WRONG:
            if word in html:  # scripts included: the filter menu is built from JSON in the page
                problems.append(f"{url}: {word!r}")
        if "select2_vi.js" not in html:
            problems.append(f"{url}: the search boxes' Vietnamese is not loaded")
    assert problems == []


def test_team_and_campaign_names_are_not_a_persons_name_and_allowance_is_money(app, db, login_as):
    make_team("Nhóm Đà Nẵng", gift_allowance=500_000)
    admin = login_as("admin")
    teams = admin.get("/admin/teams/").get_data(as_text=True)
    assert "Họ tên" not in _text(teams) and "Tên nhóm" in teams and "500.000 ₫" in teams and ">500000<" not in teams
    campaigns = login_as("head").get("/admin/campaigns/").get_data(as_text=True)
    assert "Họ tên" not in _text(campaigns) and "Tên chiến dịch" in campaigns


def test_a_created_record_is_announced_in_plain_vietnamese(app, db, login_as):
    admin = login_as("admin")
    response = admin.post("/admin/teams/new/", {"name": "Nhóm Huế", "gift_allowance": "300.000"}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Đã tạo bản ghi." in html and "Kỷ lục" not in html


def test_the_english_pages_say_lang_en(app, db, login_as):
    head = login_as("head")
    head.get("/lang/en")
    assert '<html lang="en"' in head.get("/admin/customers/").get_data(as_text=True)


def _luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_navbar_text_contrast_is_at_least_4_5():
    css = (ROOT / "static" / "css" / "cskh.css").read_text()
    match = re.search(
        r"\.navbar-dark \.navbar-nav \.nav-link,[^{]*\{\s*color:\s*rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)", css
    )
    assert match, "the navbar colour rule is missing"
    r, g, b, alpha = int(match[1]), int(match[2]), int(match[3]), float(match[4])
    background = (0x34, 0x3A, 0x40)  # Bootstrap 4 bg-dark
    text = tuple(alpha * c + (1 - alpha) * bg for c, bg in zip((r, g, b), background, strict=True))
    light, dark = sorted((_luminance(text), _luminance(background)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
