"""Every page on every shape of store (tests/shapes.py) under AppTest: no exception, no error box, and no
chart drawn without data. Then what each shape must say, checked against the API."""
import datetime as dt
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from cxmetrics import Store
from cxmetrics.compliance import compliance

from . import shapes
from .conftest import html_tables, tiles

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["pages/overview.py", "pages/channel.py", "pages/compliance.py", "pages/review.py", "pages/staffing.py",
         "pages/satisfaction.py", "pages/drivers.py", "pages/followup.py", "pages/maturity.py", "pages/targets.py",
         "pages/quality.py", "pages/upload.py"]
THIS_MONTH = dt.date.today().strftime("%Y-%m")


@pytest.fixture(scope="session")
def shape_dbs(tmp_path_factory):
    """Every shape built once per test session; tests work on copies."""
    folder = tmp_path_factory.mktemp("shapes")
    return {name: shapes.build(name, folder / name) for name in shapes.SHAPES}


def _copy(shape_dbs, shape, tmp_path) -> Path:
    db = tmp_path / f"{shape}.duckdb"
    shutil.copy(shape_dbs[shape], db)
    return db


def _open(db: Path, page: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("CXMETRICS_DB", str(db))
    monkeypatch.chdir(ROOT)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page)
    at.run()
    return at


def _encodings(spec: dict):
    """Every encoding block of a (layered, faceted) Vega-Lite spec."""
    if "encoding" in spec:
        yield spec["encoding"]
    for part in spec.get("layer", []) + ([spec["spec"]] if "spec" in spec else []):
        yield from _encodings(part)


def _inline_data(spec: dict):
    """Every data set written inline in a (layered) Vega-Lite spec's parts: their rows."""
    values = (spec.get("data") or {}).get("values") if isinstance(spec.get("data"), dict) else None
    if isinstance(values, list):
        yield values
    for part in spec.get("layer", []) + ([spec["spec"]] if "spec" in spec else []):
        yield from _inline_data(part)


def charts_without_data(at: AppTest) -> list[str]:
    """Every chart whose data set is empty, or whose 'value' column holds no number (an empty scale); data sets
    sent as Arrow tables and rows written inline in the spec alike."""
    bad = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or spec.get("encoding", {}).get("y", {}).get("title") or "a chart"
        inline = list(_inline_data(spec))
        if not chart.proto.datasets and not inline:
            bad.append(f"{title}: no data set")
        for encoding in _encodings(spec):  # Vega prints a constant scale's tick as "6.000000" unless told a format
            colour = encoding.get("color", {})
            if colour.get("type") == "quantitative" and not (colour.get("legend") or {}).get("format"):
                bad.append(f"{title}: a colour legend without a number format")
        tables = [pa.ipc.open_stream(dataset.data.data).read_all().to_pylist() for dataset in chart.proto.datasets]
        for rows in tables + inline:
            if not rows:
                bad.append(f"{title}: an empty data set")
            elif "value" in rows[0] and all(r.get("value") is None for r in rows):
                bad.append(f"{title}: no value to draw")
    return bad


@pytest.mark.parametrize("shape", list(shapes.SHAPES))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_every_shape(page, shape, shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, shape, tmp_path), page, monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert charts_without_data(at) == []


def _texts(at: AppTest) -> str:
    return "\n".join([e.value for kind in ("caption", "info", "warning", "success", "markdown") for e in
                      getattr(at, kind)])


def test_voice_acd_log_shows_no_survey_tiles_and_says_not_measured(shape_dbs, tmp_path, monkeypatch):
    db = _copy(shape_dbs, "voice_acd", tmp_path)
    at = _open(db, "pages/overview.py", monkeypatch)
    labels = [t["label"] for t in tiles(at)]
    assert "Service level" in labels and "CSAT" not in labels and "NPS" not in labels and "FCR" not in labels
    assert "Not measured on this channel (no value in the last 13 months): FCR, CSAT, NPS." in _texts(at)
    scorecard = html_tables(at)[-1]
    assert scorecard["rows"][0]["CSAT"] == "○ Not measured"
    assert scorecard["rows"][0]["Service level"].startswith(("✔", "✖"))
    assert scorecard["columns"] == ["Channel", "Volume", "Service level", "Abandoned", "ASA", "AHT", "FCR", "CSAT",
                                    "NPS"]

    at.switch_page("pages/channel.py").run()
    texts = _texts(at)
    assert "NPS is not measured on this channel: no survey responses in these months." in texts
    assert ("Not measured on this channel in these months: First-contact resolution, CSAT (top-2-box), NPS, "
            "Customer effort (mean), Churn after contact.") in texts
    assert "This channel's exports give no queue, so there is nothing to break down by queue." in texts

    at.switch_page("pages/compliance.py").run()
    grid = at.dataframe[0].value
    csat = grid[grid["Metric"] == "CSAT"].iloc[0]
    assert csat["Status"] == "Not measured"
    assert all(csat[m] == "○" for m in grid.columns if m[:2] == "20")   # the legend spells the symbol out
    flagged = at.dataframe[1].value
    assert "CSAT (top-2-box)" not in set(flagged["Metric"])
    expected = {r.metric: r.status for r in compliance(Store(db), at.selectbox(key="compliance_month").value)}
    assert expected["csat"] == expected["nps"] == expected["churn_rate"] == "not_measured"


def test_no_waits_means_no_service_level(shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, "no_waits", tmp_path), "pages/overview.py", monkeypatch)
    labels = [t["label"] for t in tiles(at)]
    assert "Abandoned" in labels and "Service level" not in labels and "ASA" not in labels
    assert "Not measured on this channel (no value in the last 13 months): Service level, ASA" in _texts(at)


def test_data_that_ended_months_ago(shape_dbs, tmp_path, monkeypatch):
    db = _copy(shape_dbs, "ended", tmp_path)
    latest = Store(db).scalar("SELECT strftime(max(queued_local), '%Y-%m') FROM contacts")
    at = _open(db, "pages/overview.py", monkeypatch)
    assert any(i.value.startswith(f"Early warning: No data for {THIS_MONTH} yet (latest: {latest}).") for i in at.info)
    assert not any("No metric is behind" in t for t in _texts(at).splitlines())

    at.switch_page("pages/review.py").run()
    quarter = at.selectbox(key="review_quarter").value
    table = at.dataframe[0].value
    from cxmetrics.months import month_name, quarter_months
    not_loaded = [m for m in quarter_months(quarter) if m > latest]
    for month in not_loaded:
        assert set(table[month_name(month)]) == {"…"}  # the symbol alone: the legend above spells it out
    if not_loaded:
        assert any("not loaded yet" in line for line in _texts(at).splitlines())


def test_single_day_compliance_shows_that_month_first(shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, "single_day", tmp_path), "pages/compliance.py", monkeypatch)
    grid = at.dataframe[0].value
    month = at.selectbox(key="compliance_month").value
    assert [c for c in grid.columns if c[:2] == "20"] == [month]
    assert set(grid["Status"]) <= {"Insufficient history", "Not measured"}


def test_new_channel_mid_window_compliance_renders(shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, "new_channel", tmp_path), "pages/compliance.py", monkeypatch)
    grid = at.dataframe[0].value
    chat = grid[grid["Channel"] == "Chat"]
    assert set(chat["Status"]) <= {"Insufficient history", "Not measured"}
    first_month = [c for c in grid.columns if c[:2] == "20"][0]
    assert (chat[first_month] == "").all() and (grid[grid["Channel"] == "Voice"][first_month] != "").all()


def test_outbound_only_says_metrics_count_inbound(shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, "outbound_only", tmp_path), "pages/overview.py", monkeypatch)
    assert any("the metrics count inbound contacts only" in i.value for i in at.info)
    assert not tiles(at)


def test_early_warning_on_a_store_with_this_months_data(shape_dbs, tmp_path, monkeypatch):
    from cxmetrics.early_warning import alerts

    db = _copy(shape_dbs, "new_channel", tmp_path)
    expected = [a.text for a in alerts(Store(db), dt.date.today())]
    assert expected  # voice service level runs far below its 80 % target in this shape
    at = _open(db, "pages/overview.py", monkeypatch)
    warning = next(e for e in at.expander if e.label.startswith(f"Early warning, {THIS_MONTH} so far"))
    assert warning.label == f"Early warning, {THIS_MONTH} so far ({len(expected)})"
    assert next(m for m in warning.markdown).value == "\n".join(f"- {a}" for a in expected)
    assert not any("would need" in a for a in expected)


def _column_labels(element) -> dict:
    """What a dataframe or data editor shows as each column's heading (its column_config label)."""
    return {column: config.get("label", column) for column, config in json.loads(element.proto.columns).items()
            if column != "_index"}  # the hidden row index


def test_editors_show_labels_not_ids(shape_dbs, tmp_path, monkeypatch):
    from cxmetrics.followup import COLUMNS
    from cxmetrics.metrics import METRICS, TARGETED

    at = _open(_copy(shape_dbs, "sample", tmp_path), "pages/targets.py", monkeypatch)
    targets = next(d for d in at.data_editor if d.key == "targets_editor")
    assert _column_labels(targets) == {"channel": "Channel", "metric": "Metric", "target": "Target",
                                       "tolerance_pct": "Tolerance (%)", "effective_from": "Effective from",
                                       "shown": "Reads as"}
    options = json.loads(targets.proto.columns)["metric"]["type_config"]["options"]
    assert [(o["value"], o["label"]) for o in options] == [(m, METRICS[m].label) for m in TARGETED]
    editor = next(d for d in at.data_editor if d.key == "channel_editor")
    settings = json.loads(editor.proto.columns)
    assert settings["sl_threshold_shown"]["label"] == "Reads as"
    email = editor.value[editor.value["channel"] == "email"].iloc[0]
    assert (email["sl_threshold_s"], email["sl_threshold_shown"]) == (86400.0, "24:00:00")  # seconds, as a time
    assert {o["label"] for o in settings["sl_formula"]["type_config"]["options"]} == {
        "answered within ÷ (offered − short abandons)", "answered within ÷ answered",
        "(answered within + abandoned within) ÷ offered"}

    at.switch_page("pages/followup.py").run()
    labels = _column_labels(next(d for d in at.data_editor if d.key == "followup_editor"))
    assert set(labels) == set(COLUMNS)
    assert not [label for label in labels.values() if "_" in label or label in COLUMNS]

    at.switch_page("pages/channel.py").run()
    assert "counted as answered within ÷ (offered − short abandons)" in at.caption[0].value
    assert "abandons_against" not in _texts(at)


def test_a_trend_with_one_month_still_shows_its_target(shape_dbs, tmp_path, monkeypatch):
    at = _open(_copy(shape_dbs, "single_day", tmp_path), "pages/overview.py", monkeypatch)
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    service_level = next(s for s in specs if s["layer"][0]["encoding"]["y"]["axis"]["title"] == "%")
    assert [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]
            for layer in service_level["layer"]][:3] == ["line", "line", "tick"]


def test_quarantine_reasons_name_fields_by_label_on_the_page(tmp_path, monkeypatch):
    from cxmetrics import ImportOptions, import_file

    db = tmp_path / "q.duckdb"
    store = Store(db)
    csv = tmp_path / "q.csv"
    csv.write_text("id,channel,queued_at,status\na,voice,2026-03-02 10:00,answered\nb,voice,,answered\n")
    import_file(store, csv, ImportOptions(on_error="quarantine"))
    store.close()
    at = _open(db, "pages/quality.py", monkeypatch)
    quarantine = next(d.value for d in at.dataframe if "Reason" in d.value.columns)
    assert list(quarantine["Reason"]) == ["Queued at (offered) is empty"]   # stored as "queued_at is empty"
    assert Store(db).scalar("SELECT reason FROM quarantine") == "queued_at is empty"
