"""FHIR withdrawal check-ins: the check-in list as a Questionnaire, each check-in as a
QuestionnaireResponse (entered-in-error when voided), and each taper step's baseline and after as
an Observation derived from them. Only in a bundle whose period has check-ins.

The Questionnaire cites the source of every item (an R4 supportLink to it and a cqf-citation
naming where in it), and its answer options carry their rating as an ordinalValue, so a reader
can total the ratings without medtrack's codes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from medtrack.export.checkins import item_ids, item_name, scale, trend_line
from medtrack.export.fhir_base import (
    DEFINITIONS,
    MEDICATION_EXTENSION,
    OBSERVATION_CODES,
    UCUM,
    Context,
    identifier,
    mg,
    resource_id,
    url,
    when,
)

if TYPE_CHECKING:
    from medtrack.core.checkin import CheckIn, StepTrend
    from medtrack.core.drug import Source
    from medtrack.export.data import ExportData

RATING_CODES = f"{DEFINITIONS}/CodeSystem/checkin-rating"  # 0 none .. 3 severe
ITEM_CODES = f"{DEFINITIONS}/CodeSystem/checkin-item"  # the withdrawal file's item ids
VOID_EXTENSION = f"{DEFINITIONS}/StructureDefinition/void-reason"
SUPPORT_LINK = "http://hl7.org/fhir/StructureDefinition/questionnaire-supportLink"
CITATION = "http://hl7.org/fhir/StructureDefinition/cqf-citation"
ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SCORE = {"unit": "{score}", "system": UCUM, "code": "{score}"}
# What a response carries beside the ratings (read-only: medtrack works them out, nobody answers them).
TOTAL, STEP_NIGHT, STEP_DOSE, NOTE = "total", "step-night", "step-dose", "note"


def questionnaire_url(data: ExportData) -> str:
    return f"{DEFINITIONS}/Questionnaire/{data.drug.withdrawal}-checkin"


def checkin_resources(data: ExportData, ctx: Context) -> list[dict[str, Any]]:
    """The Questionnaire, a response per check-in of the period, an Observation per step; none
    without a check-in."""
    if not data.checkins:
        return []
    form = questionnaire(data, ctx)
    responses = [response(data, ctx, c) for c in data.checkins]
    return [form, *responses, *(step_observation(data, ctx, t) for t in data.trends)]


def _link(source: Source) -> str:
    return source.url or (f"https://doi.org/{source.doi}" if source.doi else "")


def _citation(source: Source, basis: str) -> str:
    doi = f" doi:{source.doi}." if source.doi else ""
    return f"{source.publisher}. {source.title}. {source.year}.{doi}" + (f" {basis}" if basis else "")


def _rating_item(data: ExportData, item_id: str) -> dict[str, Any]:
    withdrawal = data.withdrawal
    item = withdrawal.item(item_id) if withdrawal is not None else None
    sources = {s.id: s for s in withdrawal.sources} if withdrawal is not None else {}
    source = sources.get(item.source) if item is not None else None
    out: dict[str, Any] = {}
    if item is not None and source is not None:
        out["extension"] = [*([{"url": SUPPORT_LINK, "valueUri": _link(source)}] if _link(source) else []),
                            {"url": CITATION, "valueString": _citation(source, item.basis)}]
    name = item_name(data, item_id)
    out.update({
        "linkId": item_id,
        "code": [{"system": ITEM_CODES, "code": item_id, "display": name}],
        "text": name,
        "type": "choice",
        "answerOption": [{"valueCoding": _rating(data, r)} for r in range(len(scale(data)))],
        "item": [{"linkId": f"{item_id}-help", "type": "display",
                  "text": item.description if item is not None else "No longer on the check-in list."}],
    })
    return out


def _rating(data: ExportData, rating: int) -> dict[str, Any]:
    words = scale(data)
    return {"extension": [{"url": ORDINAL, "valueDecimal": rating}], "system": RATING_CODES,
            "code": str(rating), "display": words[rating] if rating < len(words) else str(rating)}


def questionnaire(data: ExportData, ctx: Context) -> dict[str, Any]:
    words = scale(data)
    top = len(words) - 1
    sources = data.withdrawal.sources if data.withdrawal is not None else ()
    cited = " ".join(f"{_citation(s, '')}" + (f" {_link(s)}" if _link(s) else "") for s in sources)
    return {
        "resourceType": "Questionnaire", "id": resource_id(ctx.patient_id, "questionnaire", questionnaire_url(data)),
        "url": questionnaire_url(data), "name": "WithdrawalCheckIn", "title": "Benzodiazepine withdrawal check-in",
        "status": "active", "subjectType": ["Patient"], "publisher": "medtrack",
        "description": (f"How the patient is during a benzodiazepine taper: each withdrawal symptom rated 0 "
                        f"({words[0]}) to {top} ({words[top]}); the total is the sum of the ratings. The items are "
                        "medtrack's own short words for the symptoms its sources list (no item of a published "
                        f"rating scale is reproduced); each item cites its source. Sources: {cited}"),
        "item": [*(_rating_item(data, i) for i in item_ids(data)),
                 {"linkId": TOTAL, "text": "Total: the sum of the ratings", "type": "integer", "readOnly": True},
                 {"linkId": STEP_NIGHT, "text": "The night the taper step in force began", "type": "date",
                  "readOnly": True},
                 {"linkId": STEP_DOSE, "text": "The nightly dose of that step", "type": "quantity",
                  "readOnly": True},
                 {"linkId": NOTE, "text": "Note", "type": "text"}],
    }


def response(data: ExportData, ctx: Context, checkin: CheckIn) -> dict[str, Any]:
    """One check-in; a voided one is entered-in-error with the reason, kept like a voided dose."""
    items = [{"linkId": i, "text": item_name(data, i), "answer": [{"valueCoding": _rating(data, checkin.rating(i))}]}
             for i in item_ids(data)]
    items.append({"linkId": TOTAL, "answer": [{"valueInteger": checkin.total}]})
    if checkin.step_night is not None:
        items.append({"linkId": STEP_NIGHT, "answer": [{"valueDate": checkin.step_night.isoformat()}]})
    if checkin.step_ug is not None:
        items.append({"linkId": STEP_DOSE, "answer": [{"valueQuantity": mg(checkin.step_ug)}]})
    if checkin.note:
        items.append({"linkId": NOTE, "answer": [{"valueString": checkin.note}]})
    resource: dict[str, Any] = {"resourceType": "QuestionnaireResponse",
                                "id": resource_id(ctx.patient_id, "checkin", checkin.id)}
    if checkin.voided:
        resource["extension"] = [{"url": VOID_EXTENSION, "valueString": checkin.void_reason or "voided"}]
    resource.update({
        "identifier": identifier(ctx.patient_id, "checkin", checkin.id),  # 0..1 in R4
        "questionnaire": questionnaire_url(data),
        "status": "entered-in-error" if checkin.voided else "completed",
        "subject": ctx.subject, "authored": when(checkin.at),
    })
    if checkin.recorded_by:
        resource["author"] = {"display": checkin.recorded_by}
    resource["item"] = items
    return resource


def _component(code: str, display: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"code": {"coding": [{"system": OBSERVATION_CODES, "code": code, "display": display}], "text": display},
            **value}


def _mean(value: float) -> dict[str, Any]:
    return {"valueQuantity": {"value": round(value, 2), **SCORE}}


def step_observation(data: ExportData, ctx: Context, trend: StepTrend) -> dict[str, Any]:
    """A step's check-ins before and after it (core.checkin's trend), derived from the responses:
    those of the period by reference, a baseline before the period by its identifier."""
    dose = {"valueQuantity": mg(trend.dose_ug or 0)}
    components = [_component("step-dose", "Nightly dose from the step night", dose),
                  _component("baseline-checkins", "Check-ins of the baseline", {"valueInteger": len(trend.baseline)})]
    if trend.baseline_mean is not None:
        components.append(_component("baseline-mean-total", "Mean total of the baseline", _mean(trend.baseline_mean)))
    components.append(_component("after-checkins", "Check-ins after the step", {"valueInteger": len(trend.after)}))
    if trend.after_mean is not None:
        components.append(_component("after-mean-total", "Mean total after the step", _mean(trend.after_mean)))
    components += [_component("higher", "Check-ins clearly higher after the step", {"valueBoolean": trend.rises}),
                   _component("severe", "An item rated severe after the step", {"valueBoolean": trend.severe})]
    shown = {c.id for c in data.checkins}
    derived = [{"reference": url(resource_id(ctx.patient_id, "checkin", c.id))} if c.id in shown else
               {"type": "QuestionnaireResponse", "identifier": identifier(ctx.patient_id, "checkin", c.id)}
               for c in (*trend.baseline, *trend.after)]
    night = trend.step_night.isoformat()
    return {
        "resourceType": "Observation", "id": resource_id(ctx.patient_id, "checkin-step", night),
        "extension": [{"url": MEDICATION_EXTENSION, "valueReference": ctx.medication}],
        "identifier": [identifier(ctx.patient_id, "checkin-step", night)],
        "status": "final",
        "code": {"coding": [{"system": OBSERVATION_CODES, "code": "checkin-step-trend",
                             "display": "Withdrawal check-in totals before and after a taper step"}],
                 "text": "withdrawal check-ins before and after a taper step"},
        "subject": ctx.subject, "effectiveDateTime": night,
        "note": [{"text": trend_line(data, trend)}],
        **({"derivedFrom": derived} if derived else {}),
        "component": components,
    }
