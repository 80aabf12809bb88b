"""Name search and the duplicate check: any script, any input, never beyond the user's scope."""

from __future__ import annotations

import pytest

from shelter_app.domain.records import CaseInput, SurvivorInput
from shelter_app.errors import PermissionDenied
from tests.records.conftest import Org

HOSTILE_QUERIES = [
    '"', '""', "'", '"María', 'María"', "NEAR(", "NEAR(a b", "NEAR(María, 5)", "*", "**",
    "María*", "^", "^María", "AND", "OR", "NOT", "María AND", "OR María", "NOT María",
    "María NOT López", "terms:x", "terms:María", "{terms}:María", "keys:mhmd", "case_search:x",
    "(", ")", "(María", "María)", "()", ".", ",", ";", "-", "-María", "+", ":", "|", "&", "\\",
    "_", "__", "a_b", "😀", "María 😀", "👩🏽‍⚕️", "\x00", "\x00María", "\u200b", "\u202e",
    "ـ", "²", "٣", "〇", "𝔸", "ﬁ", "İ", "ß", "' OR 1=1 --", "María'; DROP TABLE cases; --",
    "x" * 10_000, "María " * 2_000, "a " * 500,
]


@pytest.fixture
def people(org: Org) -> dict[str, str]:
    names = {
        "maria": ("María López", []),
        "nguyen": ("Nguyễn Thị Lan", ["Lan Nguyen"]),
        "arabic": ("فاطمة الزهراء", ["Fatima"]),
        "cyrillic": ("Олена Шевченко", []),
        "ahmed": ("أحمد منصور", []),
        "francois": ("François Lefèvre", ["Żaneta"]),
    }
    return {key: org.new_case(name, aliases=aliases).id for key, (name, aliases)
            in names.items()}


def ids(results: list) -> set[str]:  # type: ignore[type-arg]
    return {r.id for r in results}


@pytest.mark.parametrize(("query", "who"), [
    ("Maria", "maria"), ("maria lopez", "maria"), ("MARÍA", "maria"), ("Lopez", "maria"),
    ("Mar", "maria"),  # a prefix, as typed so far
    ("Nguyen", "nguyen"), ("nguyen thi lan", "nguyen"), ("Nguyễn", "nguyen"),
    ("Thi Lan", "nguyen"),
    ("فاطمة", "arabic"), ("الزهراء", "arabic"), ("Fatima", "arabic"),
    ("احمد", "ahmed"),  # written without the hamza
    ("Олена", "cyrillic"), ("олена шевченко", "cyrillic"), ("Olena", "cyrillic"),
    ("Shevchenko", "cyrillic"),
    ("francois lefevre", "francois"), ("Zaneta", "francois"),
])
def test_search_ignores_case_accents_and_finds_any_script(org: Org, people: dict[str, str],
                                                          query: str, who: str) -> None:
    assert ids(org.coordinator.search.search(query)) == {people[who]}


def test_search_by_case_code(org: Org, people: dict[str, str]) -> None:
    code = org.coordinator.cases.get(people["maria"]).code
    assert ids(org.coordinator.search.search(code)) == {people["maria"]}
    assert ids(org.coordinator.search.search(code.lower())) == {people["maria"]}
    stem = code.rsplit("-", 1)[0] + "-"  # "SH-2026-": every case of the year, in code order
    found = [r.code for r in org.coordinator.search.search(stem)]
    assert code in found and found == sorted(found)


def test_case_code_search_respects_scope(org: Org) -> None:
    mine = org.new_case("Scope Mine")
    theirs = org.new_case("Scope Theirs", share=False, by=org.coordinator)
    org.coordinator.cases.assign(theirs.id, org.ids["other_caseworker"])
    assert ids(org.caseworker.search.search(mine.code)) == {mine.id}
    assert org.caseworker.search.search(theirs.code) == []


def test_every_word_must_match(org: Org, people: dict[str, str]) -> None:
    assert org.coordinator.search.search("María Shevchenko") == []


def test_no_input_is_an_error(org: Org, people: dict[str, str]) -> None:
    for query in HOSTILE_QUERIES:
        for services in (org.coordinator, org.caseworker, org.legal):
            results = services.search.search(query)
            assert len(results) <= len(people), query[:40]
        matches = org.coordinator.search.duplicates(SurvivorInput(legal_name=query,
                                                                  aliases=[query]))
        assert len(matches) <= len(people), query[:40]


def test_search_syntax_is_just_punctuation(org: Org, people: dict[str, str]) -> None:
    for query in ('"María"', "María*", "(María)", "^María", "María)", "-María", "'María'",
                  "María:", "«María»", "María\u200b"):
        assert ids(org.coordinator.search.search(query)) == {people["maria"]}, query
    # operators and column filters are words like any other: every word must match
    for query in ("María AND", "NOT María", "terms:María", "NEAR(María"):
        assert org.coordinator.search.search(query) == [], query


def test_search_shows_only_cases_in_scope(org: Org) -> None:
    mine = org.new_case("Ioana Popescu")  # assigned to caseworker, shared with legal
    other = org.coordinator.cases.create(
        SurvivorInput(legal_name="Ioana Ionescu"),
        CaseInput(assigned_to=org.ids["other_caseworker"]))
    assert ids(org.coordinator.search.search("Ioana")) == {mine.id, other.id}
    assert ids(org.caseworker.search.search("Ioana")) == {mine.id}
    assert ids(org.other_caseworker.search.search("Ioana")) == {other.id}
    assert ids(org.legal.search.search("Ioana")) == {mine.id}
    assert org.other_legal.search.search("Ioana") == []
    assert org.caseworker.search.search(other.code) == []
    # the list and summaries leave out what the user may not read, even when asked by id
    assert org.caseworker.search.list_ids() == [mine.id]
    assert [s.id for s in org.caseworker.search.summaries([other.id, mine.id])] == [mine.id]


def test_no_query_can_probe_other_sections(org: Org) -> None:
    org.new_case("Elena Stan", access_needs="Diabetic", case=CaseInput(
        safety_plan="Trafficker drives a red Lada", referral_source="Hotline",
        exploitation_types=["forced_begging"]), phone="+40 700 123 456",
        email="elena@example.org")
    for probe in ("Diabetic", "Lada", "Trafficker", "Hotline", "forced_begging", "begging",
                  "700", "example", "elena@example.org", "safety_plan:Lada", "risk"):
        assert org.coordinator.search.search(probe) == [], probe


def test_search_audit_records_a_count_never_the_words(org: Org, people: dict[str, str]) -> None:
    org.caseworker.search.search("María")
    org.caseworker.search.search("Zzzyzx")
    events = org.audit("record.search")[-2:]
    assert [e["details"] for e in events] == [{"count": 1}, {"count": 0}]
    assert all(e["actor_id"] == org.ids["caseworker"] for e in events)
    text = repr(org.audit())
    assert "María" not in text and "Zzzyzx" not in text and "maria" not in text


# -- the duplicate check before intake ---------------------------------------------------
@pytest.mark.parametrize(("existing", "new"), [
    ("Mohammed Hassan", "Muhammad Hassan"),
    ("Mohammed Hassan", "Mohamed Hasan"),
    ("Mohammed Hassan", "محمد حسن"),
    ("Olena Kovalenko", "Олена Коваленко"),
    ("Олена Коваленко", "Olena Kovalenko"),
    ("Nguyen Thi Lan", "Nguyễn Thị Lan"),
    ("Nguyễn Thị Lan", "NGUYEN thi lan"),
    ("María José García", "Maria Jose Garcia"),
    ("Lefèvre François", "François Lefèvre"),
])
def test_likely_duplicates_by_name_in_any_spelling_or_script(org: Org, existing: str,
                                                            new: str) -> None:
    record = org.new_case(existing)
    org.new_case("Someone Else Entirely")
    matches = org.coordinator.search.duplicates(SurvivorInput(legal_name=new))
    assert [m.case_id for m in matches] == [record.id]
    assert matches[0].code == record.code and matches[0].reasons


def test_duplicate_found_through_an_alias(org: Org) -> None:
    record = org.new_case("Svetlana Popova", aliases=["Lana Smith"])
    matches = org.coordinator.search.duplicates(SurvivorInput(legal_name="Lana Smith"))
    assert [m.case_id for m in matches] == [record.id]
    assert "Same name or alias" in matches[0].reasons


def test_duplicate_reasons_name_date_of_birth_and_citizenship(org: Org) -> None:
    strong = org.new_case("Fatima Nasser", birth_date="1994-07-02", citizenship=["SY"])
    weak = org.new_case("Fatima Haddad", birth_date="1980-01-01", citizenship=["LB"])
    matches = org.coordinator.search.duplicates(SurvivorInput(
        legal_name="Fatma Naser", birth_date="1994-07-02", citizenship=["SY"]))
    assert matches[0].case_id == strong.id
    assert {"Same date of birth", "Same citizenship", "Names spelled alike"} <= set(
        matches[0].reasons)
    assert weak.id not in [m.case_id for m in matches[:1]]
    assert all(m.score <= matches[0].score for m in matches)


def test_different_people_are_not_duplicates(org: Org) -> None:
    org.new_case("Mohammed Hassan", birth_date="1990-01-01")
    for other in ("Olena Kovalenko", "Grace Okafor", "Muhammad Ali", "Tran Van Minh"):
        assert org.coordinator.search.duplicates(SurvivorInput(legal_name=other)) == [], other


@pytest.mark.parametrize(("existing", "new"), [
    # Vietnamese: Thị and Văn mark gender; half the women of a shelter may carry Thị.
    ("Nguyễn Thị Lan", "Trần Thị Mai"),
    ("Phạm Văn Đức", "Vũ Văn Hùng"),
    ("Lê Thị Hoa", "thi"),
    # Arabic: "son of", "father of" and the article are shared by strangers.
    ("Ahmad bin Khalid", "Yusuf bin Omar"),
    ("أحمد بن خالد", "يوسف بن عمر"),
    ("Abu Bakr Haddad", "Abu Omar Nasser"),
    ("Omar Al Masri", "Salma Al Tamimi"),
    ("عمر ابن سينا", "سلمى ابن رشد"),
    # Spanish: particles and the María / José of compound names.
    ("Ana María López", "María Fernanda Ruiz"),
    ("Juan de la Cruz", "Pedro de la Rosa"),
    ("María José Pérez", "José María Gómez"),
])
def test_a_common_middle_word_alone_is_not_a_name_in_common(org: Org, existing: str,
                                                            new: str) -> None:
    """Two people who share only a particle or a common middle word ("Thị", "bin", "de",
    "María") are not offered as the same person, even with the same citizenship and year
    of birth (which alone do not make a match either)."""
    org.new_case(existing, birth_date="1990-05-01", citizenship=["VN"])
    matches = org.coordinator.search.duplicates(SurvivorInput(
        legal_name=new, birth_date="1990-09-09", citizenship=["VN"]))
    assert matches == [], [m.reasons for m in matches]


@pytest.mark.parametrize(("existing", "new", "reason"), [
    ("Nguyễn Thị Lan", "Lan Nguyen Thi", "Same names in another order or script"),
    ("Trần Văn Minh", "Tran Van Minh", "Same name or alias"),
    ("Ahmad bin Khalid", "Ahmad Khalid", "Same names in another order or script"),
    ("Juan de la Cruz", "Juan Cruz", "Same names in another order or script"),
    ("María Fernanda Ruiz", "Fernanda Ruiz", "Same names in another order or script"),
])
def test_common_words_do_not_hide_the_names_around_them(org: Org, existing: str, new: str,
                                                       reason: str) -> None:
    record = org.new_case(existing)
    matches = org.coordinator.search.duplicates(SurvivorInput(legal_name=new))
    assert [m.case_id for m in matches] == [record.id]
    assert reason in matches[0].reasons
    assert "A name in common" not in matches[0].reasons


def test_a_name_in_common_still_counts_beside_a_common_word(org: Org) -> None:
    record = org.new_case("Nguyễn Thị Lan", birth_date="1990-05-01", citizenship=["VN"])
    matches = org.coordinator.search.duplicates(SurvivorInput(
        legal_name="Trần Thị Lan", birth_date="1990-09-09", citizenship=["VN"]))
    assert [m.case_id for m in matches] == [record.id]
    assert "A name in common" in matches[0].reasons


def test_duplicate_check_respects_scope(org: Org) -> None:
    org.coordinator.cases.create(SurvivorInput(legal_name="Andreea Stan"),
                                 CaseInput(assigned_to=org.ids["other_caseworker"]))
    probe = SurvivorInput(legal_name="Andreea Stan")
    assert len(org.coordinator.search.duplicates(probe)) == 1
    assert org.caseworker.search.duplicates(probe) == []


def test_a_strong_match_in_a_colleague_s_case_is_counted_without_details(org: Org) -> None:
    """The caseworker learns only that a case she cannot open is very likely the same
    person: the same date of birth and every typed word of the legal name in its legal name.
    A name alone, preferred names, aliases or a list of guesses tell her nothing."""
    org.coordinator.cases.create(
        SurvivorInput(legal_name="Andreea Maria Stan", preferred_name="Dea", aliases=["Ana"],
                      birth_date="1994-05-06", citizenship=["RO"]),
        CaseInput(assigned_to=org.ids["other_caseworker"]))
    org.coordinator.cases.create(SurvivorInput(legal_name="Mohammed Hassan",
                                               birth_date="1988-01-02"), CaseInput())
    mine = org.new_case("Andreea Stan", birth_date="1994-05-06")  # hers: seen in full
    elsewhere = org.caseworker.search.duplicates_elsewhere
    strong = [SurvivorInput(legal_name="Andreea Stan", birth_date="1994-05-06"),
              SurvivorInput(legal_name="Stan Andreea Maria", birth_date="1994-05-06"),
              SurvivorInput(legal_name="Mohamed Hasan", birth_date="1988-01-02")]
    for probe in strong:
        assert elsewhere(probe) == 1, probe.legal_name
    weak = [SurvivorInput(legal_name="Andreea Stan"),
            SurvivorInput(legal_name="Andreea Stan", citizenship=["RO"]),
            SurvivorInput(legal_name="Andreea Stan", birth_date="1994-05-07"),
            SurvivorInput(legal_name="Ioana Stan", birth_date="1994-05-06"),
            SurvivorInput(legal_name="Stan", birth_date="1994-05-06"),
            SurvivorInput(legal_name="Dea", birth_date="1994-05-06"),
            SurvivorInput(legal_name="Ana Stan", birth_date="1994-05-06"),
            SurvivorInput(legal_name="X Y", preferred_name="Andreea Stan", aliases=["Dea"],
                          birth_date="1994-05-06"),
            SurvivorInput(legal_name="Ana Maria Elena Andreea Ioana Stan",
                          birth_date="1994-05-06"),
            SurvivorInput(legal_name="Maria Stan", birth_date="1994-05-06")]
    for probe in weak:
        assert elsewhere(probe) == 0, probe.legal_name
    visible = org.caseworker.search.duplicates(
        SurvivorInput(legal_name="Andreea Stan", birth_date="1994-05-06"))
    assert [m.case_id for m in visible] == [mine.id], "her own case, with its details"
    assert org.coordinator.search.duplicates_elsewhere(strong[0]) == 0
    # Probes without a date of birth or with fewer than two distinctive words ("Stan",
    # "X Y", "Maria Stan") look nothing up, so only the other lookups are recorded.
    checks = [e["details"] for e in org.audit("record.search")
              if e["details"].get("scope") == "elsewhere"]
    assert checks == ([{"count": 1, "scope": "elsewhere"}] * 3
                      + [{"count": 0, "scope": "elsewhere"}] * 4), "each lookup is recorded"
    for services in (org.admin, org.legal):
        with pytest.raises(PermissionDenied):
            services.search.duplicates_elsewhere(strong[0])


def test_an_exact_match_is_found_among_many_alike(org: Org) -> None:
    """A common date of birth or a common name cannot push the real match out of sight."""
    for i in range(210):
        org.coordinator.cases.create(SurvivorInput(legal_name=f"Person {i:03d} Example",
                                                   birth_date="1990-01-01"), CaseInput())
    for i in range(510):
        org.coordinator.cases.create(SurvivorInput(legal_name=f"Mohammed Number{i:03d}"),
                                     CaseInput())
    target = org.coordinator.cases.create(
        SurvivorInput(legal_name="Mohammed Hassan", birth_date="1990-01-01"), CaseInput())
    found = org.coordinator.search.duplicates(
        SurvivorInput(legal_name="Mohammed Hassan", birth_date="1990-01-01"))
    assert found[0].case_id == target.id


@pytest.mark.parametrize("typed", ["12/03/1990", "abcd", "1990", "2026-02-30"])
def test_duplicate_check_copes_with_a_half_typed_birth_date(org: Org, typed: str) -> None:
    record = org.new_case("Mohammed Hassan", birth_date="1990-03-12")
    matches = org.coordinator.search.duplicates(SurvivorInput(legal_name="Mohamed Hasan",
                                                              birth_date=typed))
    assert [m.case_id for m in matches] == [record.id]
    assert "Same date of birth" not in matches[0].reasons


@pytest.mark.parametrize("typed", ["1990-03-12", "19900312"])
def test_duplicate_check_reads_the_birth_date_as_a_date(org: Org, typed: str) -> None:
    import datetime as dt

    org.new_case("Mohammed Hassan", birth_date="1990-03-12")
    for value in (typed, dt.date(1990, 3, 12)):
        matches = org.coordinator.search.duplicates(SurvivorInput(legal_name="Mohamed Hasan",
                                                                  birth_date=value))
        assert "Same date of birth" in matches[0].reasons


# -- the case list's paging and large result sets ----------------------------------------
def test_pages_cover_every_visible_case_once_even_with_equal_times(org: Org) -> None:
    from shelter_app.demo import populate

    populate(org.coordinator, survivors=45, services_per_case=0, appointments_per_case=0)
    every = org.coordinator.search.list_ids()
    assert org.coordinator.search.count() == len(every) == 45  # bulk rows share one timestamp
    pages = [org.coordinator.search.page_ids(offset=n, limit=10) for n in range(0, 50, 10)]
    assert [i for page in pages for i in page] == every
    assert org.caseworker.search.count() == len(org.caseworker.search.list_ids())


def test_a_word_matching_many_names_still_answers_newest_first(org: Org) -> None:
    from shelter_app.services import search as search_module

    made = [org.new_case(f"Maria Example{n}", share=False).code for n in range(6)]
    original = search_module.RANKED_MATCHES
    search_module.RANKED_MATCHES = 3  # as if "maria" matched thousands
    try:
        codes = [r.code for r in org.coordinator.search.search("maria", limit=4)]
    finally:
        search_module.RANKED_MATCHES = original
    assert codes == list(reversed(made))[:4]


def test_due_list_is_bounded_and_most_pressing_first(org: Org) -> None:
    import datetime as dt

    today = dt.date.today()
    for n in range(5):
        case_id = org.new_case(f"Due Person{n}", share=False).id
        org.coordinator.legal.open(case_id, "residence_permit",
                                   dates={"filing_due": today + dt.timedelta(days=5 - n)})
    due = org.coordinator.legal.due(within_days=30, limit=3)
    assert [d.due_on for d in due] == sorted(d.due_on for d in due)
    assert len(due) == 3 and due[0].due_on == today + dt.timedelta(days=1)


def test_name_order_follows_the_collation_it_is_given(org: Org) -> None:
    for name in ("Zoe Test", "Åsa Test", "Anna Test"):
        org.new_case(name, share=False)
    def names_in(order: list[str]) -> list[str]:
        return [s.display_name for s in org.coordinator.search.summaries(order)]
    plain = names_in(org.coordinator.search.list_ids(sort="name"))
    assert plain == ["Anna Test", "Åsa Test", "Zoe Test"]  # accents folded by default
    swedish = {"Å": "z\uffff"}  # a collation that puts Å after Z, as Swedish does
    key = lambda text: "".join(swedish.get(ch, ch.lower()) for ch in text)  # noqa: E731
    assert names_in(org.coordinator.search.list_ids(sort="name", name_key=key)) == [
        "Anna Test", "Zoe Test", "Åsa Test"]
