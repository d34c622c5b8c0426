"""The field catalogue against every layer that names fields: a field added to one and forgotten
in another fails here, not at run time."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from api import schemas
from api.web import forms
from dsl import schema as dsl_schema
from projects import catalogue, checks, repository, tables
from projects.accountability import FILE_KEYS as ACCOUNTABILITY_KEYS
from projects.accountability import Accountability
from projects.cadence import Cadence
from projects.extensions import Extension
from projects.loader import dump_portfolio
from projects.model import (
    Complaint,
    Dependency,
    Kind,
    Milestone,
    Notice,
    Person,
    Portfolio,
    Project,
    Unit,
)

MODELS = {"unit": Unit, "project": Project, "milestone": Milestone, "notice": Notice,
          "person": Person, "extension": Extension, "complaint": Complaint,
          "accountability": Accountability}
FILE_FIELDS = {"unit": checks.UNIT_FIELDS, "project": checks.PROJECT_FIELDS,
               "milestone": checks.MILESTONE_FIELDS, "notice": checks.NOTICE_FIELDS,
               "person": checks.PERSON_FIELDS, "extension": checks.EXTENSION_FIELDS,
               "complaint": checks.COMPLAINT_FIELDS, "accountability": ACCOUNTABILITY_KEYS}
ROWS = {"unit": tables.UnitRow, "project": tables.ProjectRow, "milestone": tables.MilestoneRow,
        "complaint": tables.ComplaintRow}


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_the_model_has_exactly_the_catalogued_fields(record: str) -> None:
    names = [f.name for f in catalogue.RECORDS[record]]
    assert len(names) == len(set(names)), f"{record} declares a field twice"
    assert set(names) == {f.name for f in dataclasses.fields(MODELS[record])}


#: The model's annotation of each catalogue type, ``| None`` aside (``projects.model`` is
#: written by hand so that mypy sees its attributes; this keeps it the catalogue's).
_ANNOTATIONS = {
    "text": {"str"}, "id": {"str"}, "person": {"str"}, "decision": {"str"}, "milestone_ref": {"str"},
    "accountability_kind": {"str"}, "date": {"dt.date", "Date"}, "ratio": {"float"}, "yuan": {"float"},
    "workdays": {"int"}, "flag": {"bool"}, "bool": {"bool"}, "cadence": {"Cadence"}, "category": {"Category"},
    "kind": {"Kind"}, "complaint_kind": {"ComplaintKind"}, "level": {"Level"}, "rating": {"Rating"},
    "contacts": {"tuple[str, ...]"}, "units": {"tuple[str, ...]"}, "deps": {"tuple[Dependency, ...]"},
    "milestones": {"tuple[Milestone, ...]"},
}


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_the_model_types_each_field_as_the_catalogue_does(record: str) -> None:
    """A field's annotation in the model is its catalogue type's; a required field is never
    optional, a field files may leave out has a default (a flag is an optional yes/no)."""
    model = {f.name: f for f in dataclasses.fields(MODELS[record])}
    for f in catalogue.RECORDS[record]:
        annotation = str(model[f.name].type)
        base = annotation.removesuffix(" | None")
        assert base in _ANNOTATIONS[f.type], f"{record}.{f.name}: {annotation} for a {f.type}"
        if f.required:
            assert base == annotation, f"{record}.{f.name} is required but optional in the model"
        else:
            has_default = (model[f.name].default is not dataclasses.MISSING
                           or model[f.name].default_factory is not dataclasses.MISSING)
            assert has_default, f"{record}.{f.name} may be left out but has no default"
        if f.type == "flag":
            assert annotation == "bool | None", f"{record}.{f.name}"


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_portfolio_files_accept_exactly_the_catalogued_keys(record: str) -> None:
    keys = {f.file_key for f in catalogue.RECORDS[record] if f.file_key is not None}
    assert keys == set(FILE_FIELDS[record])


@pytest.mark.parametrize("record", list(ROWS))
def test_every_catalogued_column_is_a_table_column(record: str) -> None:
    columns = {c._meta.name for c in ROWS[record]._meta.columns}
    wanted = {f.db_column for f in catalogue.RECORDS[record] if f.db_column is not None}
    assert wanted <= columns, wanted - columns


#: A value of each plain catalogue type, for fields the literal below does not name (a field
#: added to the catalogue is covered without a change here).
_SAMPLES = {"text": "样例", "date": dt.date(2026, 4, 10), "ratio": 0.25, "yuan": 1.0, "id": "U1", "workdays": 3, "flag": True}


def _milestone() -> Milestone:
    m = Milestone("P1", "m1", "节点", Kind.TENDERING, due=dt.date(2026, 5, 1), start=dt.date(2026, 4, 1),
                  finished=dt.date(2026, 4, 20), unit="U2", progress=0.5, amount=10.0, paid=5.0,
                  updated=dt.date(2026, 4, 21), after=(Dependency("m0", 2),), note="好",
                  person="li", co_units=("U1",), report_every=Cadence(2, "weeks"))
    return dataclasses.replace(m, **{f.name: _SAMPLES[f.type] for f in catalogue.MILESTONE
                                     if getattr(m, f.name) is None and f.type in _SAMPLES})


def test_the_row_mapper_writes_every_stored_milestone_field() -> None:
    written = set(repository._milestone_columns(_milestone())) | {"project", "mid"}
    assert written == {f.db_column for f in catalogue.MILESTONE if f.db_column is not None}


def test_history_data_and_the_dump_carry_every_milestone_field() -> None:
    m = _milestone()
    assert set(repository.milestone_data(m)) == {f.name for f in catalogue.MILESTONE}
    assert repository.milestone_from_data(repository.milestone_data(m)) == m
    p = Portfolio(units=(Unit("U1", "单位"), Unit("U2", "单位二")), people=(Person("li", "李某", "U2"),),
                  projects=(Project("P1", "项目", checks.Category.PROJECT, "U1", milestones=(m,)),))
    dumped = dump_portfolio(p)["projects"][0]["milestones"][0]
    assert set(dumped) <= {f.file_key for f in catalogue.MILESTONE}
    assert {f.file_key for f in catalogue.MILESTONE if f.file_key is not None} <= set(dumped)


def test_the_api_shapes_know_every_milestone_field() -> None:
    read = set(schemas.MilestoneRead.__struct_fields__)
    assert read == {f.name for f in catalogue.MILESTONE} | {"version"}
    update = set(schemas.MilestoneUpdate.__struct_fields__) - {"version"}
    assert set(catalogue.MILESTONE_REPORTABLE) - {"updated"} <= update
    assert update == {f.name for f in catalogue.MILESTONE if "u" in f.api}
    create = set(schemas.MilestoneCreate.__struct_fields__)
    assert create == {f.name for f in catalogue.MILESTONE if "c" in f.api}
    m = _milestone()
    assert schemas.milestone_read(m, 3).progress == m.progress  # type: ignore[attr-defined]


#: A value of each stored record, every field set to something other than its default.
_RECORDS = {
    "unit": Unit("U1", "单位", "U0", "区级", ("mailto://office@duban.example",)),
    "project": Project("P1", "项目", checks.Category.TASK, "U1", budget=1.5, co_units=("U2", "U3"),
                       person="li", urgent=True, source="会议纪要", instruction="抓紧",
                       report_every=Cadence(2, "weeks")),
    "person": Person("li", "李某", "U2", "科长"),
    "extension": Extension("P1/m1", dt.date(2026, 5, 1), dt.date(2026, 6, 1), "用地报批",
                           dt.date(2026, 5, 3), "approved", "同意"),
}
_PLANS = {"unit": repository._UNIT, "project": repository._PROJECT, "person": repository._PERSON,
          "extension": repository._EXTENSION}
_TABLES = {"unit": tables.UnitRow, "project": tables.ProjectRow, "person": tables.PersonRow,
           "extension": tables.ExtensionRow}


@pytest.mark.parametrize("record", list(_RECORDS))
def test_the_row_mappers_carry_every_stored_field_of_every_record(record: str) -> None:
    """Each record's mapper is the catalogue's: it writes a column for every stored field, the
    table has each of them, and a row read back is the record again."""
    x = _RECORDS[record]
    plan = _PLANS[record]
    row = repository.record_columns(plan, x)
    if plan.key is not None:
        row[plan.key] = x.id  # type: ignore[attr-defined]
    wanted = {f.db_column for f in catalogue.RECORDS[record] if f.db_column is not None}
    if record == "extension":  # its milestone reference is two columns
        wanted = (wanted - {"milestone"}) | {"project", "mid"}
    assert set(row) == wanted
    assert wanted <= {c._meta.name for c in _TABLES[record]._meta.columns}
    milestones = {"milestones": ()} if record == "project" else {}
    assert repository.record_from_row(plan, row, **milestones) == x
    for f in dataclasses.fields(x):  # every field differs from its default, so each was carried
        assert getattr(x, f.name) != f.default or f.name == "milestones", f"{record}.{f.name}"


def test_the_report_form_offers_only_reportable_fields() -> None:
    assert set(forms.FIELDS) <= set(catalogue.MILESTONE_REPORTABLE)
    assert tuple(f.name for f in catalogue.MILESTONE if f.widget is not None) == forms.FIELDS


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_the_rule_checker_types_every_field_rules_may_read(record: str) -> None:
    known = dsl_schema.FIELDS.get(record, {})
    for f in catalogue.RECORDS[record]:
        if f.dsl is not None:
            assert f.name in known, f"rules cannot read {record}.{f.name}"
            assert str(known[f.name].type) == f.dsl, f"{record}.{f.name}"


def test_only_the_office_changes_due_name_and_unit() -> None:
    assert {"due", "name", "unit"} <= catalogue.MILESTONE_OFFICE_ONLY
    assert not catalogue.MILESTONE_OFFICE_ONLY & set(catalogue.MILESTONE_REPORTABLE)
    assert catalogue.field("milestone", "note").max_length == catalogue.NOTE_MAX
    with pytest.raises(KeyError):
        catalogue.field("milestone", "colour")


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_every_field_has_both_labels(record: str) -> None:
    for f in catalogue.RECORDS[record]:
        assert f.zh and f.en, f"{record}.{f.name}"


def test_the_rule_views_carry_every_field_rules_may_read() -> None:
    """The milestone view has an attribute for each field a rule reads (the compiled rules
    read them as plain attributes)."""
    from rules.views import MilestoneView  # noqa: PLC0415 - rules sits above projects

    names = {f.name for f in catalogue.rule_fields("milestone")}
    assert all(hasattr(MilestoneView, n) or n in MilestoneView.__slots__ for n in names), names


def test_a_rule_field_is_never_missing_when_the_catalogue_says_so() -> None:
    assert dsl_schema.FIELDS["milestone"]["unit"].missing is False  # the project's when left out
    assert dsl_schema.FIELDS["milestone"]["due"].missing is True
    assert dsl_schema.FIELDS["unit"]["red_cards"].missing is False
    assert str(dsl_schema.FIELDS["milestone"]["co_units"].type) == "collection of units"


def test_a_dependency_has_exactly_the_catalogued_fields_in_files_and_excel() -> None:
    """An ``after`` entry's fields: the model's, the file keys the checks accept, and the
    Excel dependency sheet's columns and labels all come from ``catalogue.DEPENDENCY``."""
    from api import excel  # noqa: PLC0415 - api sits above projects

    assert {f.name for f in catalogue.DEPENDENCY} == {f.name for f in dataclasses.fields(Dependency)}
    assert set(checks.DEPENDENCY_FIELDS) == {f.file_key for f in catalogue.DEPENDENCY}
    sheet = excel.SHEETS["dependencies"]
    assert sheet[:2] == ("project", "milestone")
    headers = excel.headers("dependencies")
    for f in catalogue.DEPENDENCY:
        column = "on_project" if f.name == "project" else f.name
        assert f"{f.zh}（{column}）" in headers, column
    assert len(sheet) == 2 + len(catalogue.DEPENDENCY)


@pytest.mark.parametrize("record", list(catalogue.RECORDS))
def test_every_field_but_the_structural_ones_has_its_compiled_check(record: str) -> None:
    """No record checks a plain field in its own way (a project's urgent, an extension's
    decision and an accountability record's kind were): the catalogue's check is the one
    files, the API and Excel share."""
    from projects import validation  # noqa: PLC0415

    for f in catalogue.RECORDS[record]:
        if f.type not in validation.STRUCTURAL:
            assert validation.compiled(f) is not None, f"{record}.{f.name} ({f.type}) has no compiled check"


#: Record -> (mode, shape, the fields it carries that are not the record's own).
_API_SHAPES = {
    "unit": (("r", "UnitRead", set()), ("c", "UnitCreate", set()), ("u", "UnitUpdate", set())),
    "project": (("r", "ProjectRead", set()), ("c", "ProjectCreate", set()), ("u", "ProjectUpdate", set())),
    "person": (("r", "PersonRead", set()), ("c", "PersonCreate", set()), ("u", "PersonUpdate", set())),
    "extension": (("r", "ExtensionRead", {"id", "requested_by", "status", "decided_by"}),
                  ("c", "ExtensionCreate", set())),
    "milestone": (("r", "MilestoneRead", {"version"}), ("c", "MilestoneCreate", set()),
                  ("u", "MilestoneUpdate", {"version"})),
}


@pytest.mark.parametrize("record", list(_API_SHAPES))
def test_the_api_shapes_of_every_record_are_the_catalogues(record: str) -> None:
    """Each shape carries exactly the record's fields its ``api`` letters name (and its own
    extras), so a field added to the catalogue reaches the API by itself."""
    for mode, name, extra in _API_SHAPES[record]:
        shape = getattr(schemas, name)
        carried = set(shape.__struct_fields__) - extra
        assert carried == {f.name for f in catalogue.RECORDS[record] if mode in f.api}, name
        assert extra <= set(shape.__struct_fields__), name


def test_the_answers_carry_every_read_field() -> None:
    """The model -> answer helpers fill every field of their shape from the record."""
    answers = {"unit": schemas.unit_read(_RECORDS["unit"]), "project": schemas.project_read(_RECORDS["project"]),
               "person": schemas.person_read(_RECORDS["person"]),
               "extension": schemas.extension_read(7, _RECORDS["extension"], "u2", "office")}
    for record, answer in answers.items():
        x = _RECORDS[record]
        for f in catalogue.RECORDS[record]:
            if "r" in f.api and f.name not in ("contacts", "milestones"):  # shown as counts
                value = getattr(answer, f.name)
                assert value == schemas._answer(getattr(x, f.name)), f"{record}.{f.name}"
    assert answers["unit"].contacts == 1  # type: ignore[attr-defined]
    assert answers["extension"].status == "approved"  # type: ignore[attr-defined]


def test_a_complaint_carries_every_catalogued_field_to_its_row_and_its_file_entry() -> None:
    """Issue 13: the complaint's row mapper and file dump write every catalogued field."""
    from projects.model import ComplaintKind, Rating  # noqa: PLC0415

    c = Complaint("C-1", "噪音", "U1", dt.date(2026, 5, 6), dt.date(2026, 5, 13), ComplaintKind.SUGGESTION,
                  "P1", dt.date(2026, 5, 12), Rating.DISSATISFIED, dt.date(2026, 5, 14))
    assert set(repository._complaint_columns(c)) | {"code"} == {f.db_column for f in catalogue.COMPLAINT}
    assert repository._complaint_from_row({"code": "C-1", **repository._complaint_columns(c)}) == c
    p = Portfolio(units=(Unit("U1", "单位"),), complaints=(c,),
                  projects=(Project("P1", "项目", checks.Category.PROJECT, "U1"),))
    entry = dump_portfolio(p)["complaints"][0]
    assert set(entry) == {f.file_key for f in catalogue.COMPLAINT}
    assert checks.parse_portfolio(dump_portfolio(p), today=dt.date(2026, 6, 1)) == p


def test_the_complaint_bodies_and_the_public_answer_are_the_catalogues() -> None:
    """What a complaint carries beside its record (text, contact, answer, rating secret) is
    declared in ``catalogue.COMPLAINT_CONTENT``; the public API's bodies and the tracking
    answer are made from it and the record's fields (a field renamed or dropped there changes
    them, not a hand-written class)."""
    from api.controllers import complaints  # noqa: PLC0415 - api sits above projects

    content = {f.name for f in catalogue.COMPLAINT_CONTENT}
    assert content == {"text", "contact", "answer", "secret"}
    assert complaints.ComplaintFile.__struct_fields__ == ("title", "text", "contact", "kind", "project")
    assert complaints.ComplaintAnswer.__struct_fields__ == ("text",)
    assert complaints.ComplaintRating.__struct_fields__ == ("secret", "rating")
    tracked = set(complaints.ComplaintTracked.__struct_fields__)
    record = {"code" if f.name == "id" else f.name for f in catalogue.COMPLAINT if "r" in f.api}
    assert tracked == (record - {"project"}) | {"answer", "state", "unit_name"}
    assert not tracked & {"text", "contact", "secret"}  # the public never reads them back


def _problems(record_fields: tuple[catalogue.Field, ...], name: str, value: object) -> list[str]:
    from projects import validation  # noqa: PLC0415
    from projects.fields import BAD, Fields  # noqa: PLC0415

    check = validation.field_check(catalogue.field_in(record_fields, name))
    assert check is not None
    f = Fields()
    out = check(value, f, "complaint")
    assert (out is BAD) == bool(f.problems)
    return [f"{p.where}: {p.message}" for p in f.problems]


def test_the_complaint_content_fields_have_their_checks() -> None:
    """Lines are kept in a text, a control or bidi character is refused, a text or contact
    over its bound is refused, a contact must be a phone number or an e-mail address, a
    secret is 1..SECRET_MAX visible characters; each problem at its field."""
    content = catalogue.COMPLAINT_CONTENT
    assert _problems(content, "text", "第一行\n\t第二行") == []
    [bidi] = _problems(content, "text", "abc\u202edef")
    assert bidi.startswith("complaint.text") and "U+202E" in bidi
    [long] = _problems(content, "answer", "字" * (catalogue.TEXT_MAX + 1))
    assert long.startswith("complaint.answer") and str(catalogue.TEXT_MAX) in long
    assert _problems(content, "text", "   ") != []
    for good in ("13800138000", "0759-1234567", "name@mail.example", " +86 13800138000 "):
        assert _problems(content, "contact", good) == [], good
    for bad in ("12345", "name@", "call me", "1" * (catalogue.CONTACT_MAX + 1)):
        [said] = _problems(content, "contact", bad)
        assert said.startswith("complaint.contact"), bad
    assert _problems(content, "secret", "a" * 32) == []
    for bad in ("", "a\nb", "a" * (catalogue.SECRET_MAX + 1), 7):
        [said] = _problems(content, "secret", bad)
        assert said.startswith("complaint.secret"), bad
