"""Data-capture lines and Clarify answers shaped as AWS documents them.

`DOCS_CSV_LINE` is the first sample of "View Captured Data" (AWS: Capture data from
real-time endpoint), as published; `DOCS_CLARIFY_ANSWER` the tabular answer of Clarify
online explainability's "Code examples" page. The builders vary them the ways the docs
describe: JSON and base64 encodings, label headers, records left unexplained.
"""

from __future__ import annotations

import base64
import json
from typing import Any

DOCS_CSV_LINE = (
    '{"captureData":{"endpointInput":{"observedContentType":"text/csv","mode":"INPUT",'
    '"data":"69,0,153.7,109,194.0,105,256.1,114,14.1,6,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,'
    '0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,1,0\\n",'
    '"encoding":"CSV"},"endpointOutput":{"observedContentType":"text/csv; charset=utf-8",'
    '"mode":"OUTPUT","data":"0.0254181120544672","encoding":"CSV"}},'
    '"eventMetadata":{"eventId":"aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",'
    '"inferenceTime":"2022-02-14T17:25:49Z"},"eventVersion":"0"}'
)
DOCS_CLARIFY_ANSWER: dict[str, Any] = {
    "version": "1.0",
    "predictions": {"content_type": "text/csv; charset=utf-8", "data": "0.0006380207487381"},
    "explanations": {
        "kernel_shap": [
            [
                {"attributions": [{"attribution": [-0.00433456]}]},
                {"attributions": [{"attribution": [-0.005369821]}]},
                {"attributions": [{"attribution": [0.007917749]}]},
                {"attributions": [{"attribution": [-0.00261214]}]},
            ]
        ]
    },
}


def side(data: str, content_type: str, encoding: str, mode: str) -> dict[str, Any]:
    if encoding == "BASE64":
        data = base64.b64encode(data.encode()).decode()
    return {"observedContentType": content_type, "mode": mode, "data": data, "encoding": encoding}


def line(
    inputs: str,
    output: str,
    *,
    event: str = "e-1",
    time: str = "2026-11-25T04:10:00Z",
    inference: str | None = None,
    input_type: str = "text/csv",
    output_type: str = "application/json",
    input_encoding: str = "CSV",
    output_encoding: str = "JSON",
) -> str:
    meta = {"eventId": event, "inferenceTime": time}
    if inference:
        meta["inferenceId"] = inference
    return json.dumps(
        {
            "captureData": {
                "endpointInput": side(inputs, input_type, input_encoding, "INPUT"),
                "endpointOutput": side(output, output_type, output_encoding, "OUTPUT"),
            },
            "eventMetadata": meta,
            "eventVersion": "0",
        }
    )


def answer(
    data: str,
    records: list[list[tuple[str | None, list[float]]] | None],
    labels: list[str] | None = None,
) -> str:
    """A Clarify answer: per record, per feature (header, one value per label)."""
    explained = [
        None
        if record is None
        else [
            {
                **({"feature_header": name} if name else {}),
                "attributions": [{"attribution": values}],
            }
            for name, values in record
        ]
        for record in records
    ]
    document: dict[str, Any] = {
        "version": "1.0",
        "predictions": {"content_type": "text/csv; charset=utf-8", "data": data},
        "explanations": {"kernel_shap": explained} if records else {},
    }
    if labels:
        document["label_headers"] = labels
    return json.dumps(document)


def fraud_line(score: float, *, event: str, time: str, amount: float = 100.0) -> str:
    """A fraud model's capture line: three features, one score, explained."""
    rest = score - 0.05
    attributions = [("amount", [rest * 0.6]), ("country", [rest * 0.3]), ("age", [rest * 0.1])]
    return line(f"{amount:g},1,30", answer(f"{score}", [attributions]), event=event, time=time)
