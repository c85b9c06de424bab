import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from journeys.engine import jsonformat
from journeys.engine.errors import JourneyImportError
from journeys.engine.spec import ErrorRule, Incident, InvalidJourney, JourneySpec, Revenue, Step, Weighted


def full_spec() -> JourneySpec:
    """A journey that uses every field, with values that are awkward to round-trip."""
    return JourneySpec(
        name="Card payment",
        event_provider="acme.payments",
        correlation_field="payment.id",
        timezone="Europe/London",
        seed=2**40 + 7,
        journeys_per_day=1234.5,
        hour_weights=tuple(float(h % 7) + 0.25 for h in range(24)),
        weekday_weights=(1, 1, 1, 1, 1.5, 0.5, 0.25),
        steps=(
            Step("Payment started", "payment.started", carries_location=True, carries_revenue=True),
            Step("Card checked", "card.checked", 2.5, 0.001, 0.01, carries_segment=True, is_decision=True),
            Step("Fraud review", "fraud.review", 1, 0.5, 4, max_loops=3, optional_pct=7.5),
            Step("Payment settled", "payment.settled", 0.5, 12, 48, carries_revenue=True),
        ),
        errors=(ErrorRule("insufficient.funds", 1, 4), ErrorRule("card.expired", 1, 0.75), ErrorRule("timeout", 3, 1)),
        location_field="merchant.country",
        locations=(Weighted("Ireland", 30), Weighted("Österreich", 70)),
        segment_field="card.tier",
        segments=(Weighted("gold", 1), Weighted("standard", 3)),
        revenue=Revenue("payment.amount", 5.5, 950.25, "Payment volume"),
        hosts=(Weighted("HOST-6F1C0A2B9D3E4F51", 2), Weighted("HOST-0B7D9E8C1A2F3E4D", 1)),
        incidents=(
            Incident(1, "issuer.unavailable", 25, daily_start_hour=22.5, daily_end_hour=2),
            Incident(
                3,
                "timeout",
                60,
                starts_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
                ends_at=datetime(2026, 3, 2, 10, 30, tzinfo=timezone(timedelta(hours=1))),
            ),
        ),
        extra_attributes=(("channel", "web"), ("app.version", "4.2")),
    )


def document(**changes) -> dict:
    data = jsonformat.spec_to_dict(full_spec())
    data.update(changes)
    return data


def messages(data) -> list[str]:
    with pytest.raises(JourneyImportError) as caught:
        jsonformat.spec_from_dict(data)
    return [str(error) for error in caught.value.errors]


def test_it_round_trips_every_field_without_loss():
    spec = full_spec()
    assert jsonformat.spec_from_dict(jsonformat.spec_to_dict(spec)) == spec
    assert jsonformat.loads(jsonformat.dumps(spec)) == spec


def test_it_round_trips_a_minimal_journey():
    spec = JourneySpec("Two steps", "acme.min", "case.id", (Step("A", "a"), Step("B", "b", 10, 1, 2)))
    data = jsonformat.spec_to_dict(spec)
    assert data["segment"] is None and data["revenue"] is None and data["incidents"] == []
    assert jsonformat.spec_from_dict(data) == spec


def test_it_writes_the_documented_shape():
    data = jsonformat.spec_to_dict(full_spec(), description="Card payments in Europe")
    assert data["format"] == "bizflow-studio/journey" and data["version"] == 2
    assert data["description"] == "Card payments in Europe"
    assert data["steps"][0]["attributes"] == ["location", "revenue"]
    assert data["steps"][1]["decision"] is True
    assert data["steps"][2]["optional_pct"] == 7.5 and data["steps"][1]["optional_pct"] is None
    assert data["errors"][0] == {"step": "card.checked", "name": "insufficient.funds", "pct": 4}
    assert data["segment"] == {
        "field": "card.tier",
        "values": [{"value": "gold", "weight": 1}, {"value": "standard", "weight": 3}],
    }
    assert data["revenue"] == {"field": "payment.amount", "min": 5.5, "max": 950.25, "label": "Payment volume"}
    assert data["hosts"][0] == {"id": "HOST-6F1C0A2B9D3E4F51", "weight": 2}
    assert data["incidents"][0] == {
        "step": "card.checked",
        "error": "issuer.unavailable",
        "pct": 25,
        "daily_start_hour": 22.5,
        "daily_end_hour": 2,
    }
    assert data["incidents"][1]["starts_at"] == "2026-03-02T09:00:00Z"
    assert data["incidents"][1]["ends_at"] == "2026-03-02T10:30:00+01:00"
    assert data["extra_attributes"] == {"channel": "web", "app.version": "4.2"}


def test_it_writes_whole_numbers_without_a_decimal_point():
    text = jsonformat.dumps(full_spec())
    assert '"max_loops": 3' in text and '"drop_off_pct": 1,' in text and "1.0," not in text
    assert json.loads(text)["journeys_per_day"] == 1234.5


def test_it_keeps_the_description():
    document_ = jsonformat.loads_document(jsonformat.dumps(full_spec(), description="Why this journey exists"))
    assert document_.description == "Why this journey exists"
    assert document_.spec == full_spec()


def test_it_fills_in_defaults_for_optional_keys():
    data = {
        "format": "bizflow-studio/journey",
        "version": 1,
        "name": "Short",
        "event_provider": "acme.short",
        "correlation_field": "case.id",
        "steps": [{"name": "Open", "event_type": "case.opened"}, {"name": "Close", "event_type": "case.closed"}],
    }
    spec = jsonformat.spec_from_dict(data)
    assert spec.timezone == "UTC" and spec.journeys_per_day == 600 and spec.hour_weights == (1.0,) * 24
    assert spec.steps[1] == Step("Close", "case.closed")


def test_it_names_the_key_path_of_a_wrong_type():
    data = document()
    data["steps"][2]["drop_off_pct"] = "five"
    data["steps"][1]["max_loops"] = 1.5
    data["steps"][3]["decision"] = "yes"
    data["seed"] = True
    assert messages(data) == [
        "steps[1].max_loops: must be a whole number",
        "steps[2].drop_off_pct: must be a number",
        "steps[3].decision: must be true or false",
        "seed: must be a whole number",
    ]


def test_it_names_missing_keys():
    data = document()
    del data["correlation_field"]
    del data["steps"][0]["event_type"]
    del data["errors"][1]["pct"]
    assert messages(data) == [
        "correlation_field: is missing",
        "steps[0].event_type: is missing",
        "errors[1].pct: is missing",
    ]


def test_it_rejects_unknown_keys_with_the_allowed_ones():
    data = document(colour="blue")
    data["steps"][1]["loop"] = True
    data["revenue"]["currency"] = "EUR"
    found = messages(data)
    assert found[0].startswith("colour: unknown key (allowed: format, version, name,")
    assert found[1].startswith("steps[1].loop: unknown key (allowed: name, event_type, drop_off_pct,")
    assert found[2] == "revenue.currency: unknown key (allowed: field, min, max, label)"


def test_it_rejects_references_to_unknown_steps():
    data = document()
    data["errors"][0]["step"] = "card.chekced"
    data["incidents"][1]["step"] = 3
    assert messages(data) == [
        "errors[0].step: no step has the event type 'card.chekced'",
        "incidents[1].step: must be a string",
    ]


def test_it_rejects_unknown_attributes_and_bad_dates():
    data = document()
    data["steps"][0]["attributes"] = ["location", "colour"]
    data["incidents"][1]["starts_at"] = "next tuesday"
    assert messages(data) == [
        "steps[0].attributes[1]: must be one of location, segment, revenue",
        "incidents[1].starts_at: must be an RFC 3339 date-time such as 2026-03-02T09:00:00Z",
    ]


def test_it_reports_the_journey_rules_with_the_files_own_key_names():
    data = document()
    data["steps"][0]["drop_off_pct"] = 5
    data["hosts"][1]["id"] = "6F1C0A2B9D3E4F51"
    data["segment"]["values"][1]["value"] = "gold"
    data["revenue"]["min"] = 1000
    data["incidents"][0]["error"] = "issuer unavailable"
    assert messages(data) == [
        "steps[0].drop_off_pct: the first step cannot have a drop-off",
        "incidents[0].error: must be a non-empty name without spaces",
        "segment.values[1].value: 'gold' is listed twice",
        "revenue.min: must not be above the maximum",
        "hosts[1].id: must be a Dynatrace host id (HOST-...)",
    ]


def test_it_raises_an_error_that_is_also_an_invalid_journey():
    with pytest.raises(InvalidJourney):
        jsonformat.spec_from_dict(document(steps=[]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"format": "bizflow-studio/journey",\n "version": 1,,}',
            "not valid JSON: Expecting property name enclosed in double quotes (line 2, column 15)",
        ),
        ("[1, 2]", "a journey file must hold one JSON object"),
        (
            '{"format": "something/else"}',
            'format: must be "bizflow-studio/journey" (this is not a BizFlow Studio journey file)',
        ),
        (
            '{"format": "bizflow-studio/journey", "version": 3}',
            "version: this file is version 3; this BizFlow Studio reads versions 1 and 2",
        ),
    ],
)
def test_it_explains_files_that_are_not_journey_documents(text, expected):
    with pytest.raises(JourneyImportError) as caught:
        jsonformat.loads(text)
    assert [str(error) for error in caught.value.errors] == [expected]


def test_it_accepts_a_byte_order_mark():
    assert jsonformat.loads("\ufeff" + jsonformat.dumps(full_spec())) == full_spec()
