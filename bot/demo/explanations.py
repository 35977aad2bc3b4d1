"""Data capture with explanations for the embedded demo (`mlpulse demo`, and the command
tests that share its platform): `/mlpulse explain fraud-prod` answers from it.

fraud-prod has SageMaker Clarify online explainability: its endpoint config captures input
and output to `s3://ml-monitoring/datacapture` and carries an `ExplainerConfig` naming the
six features. moto keeps neither (its CreateEndpointConfig drops ExplainerConfig), so the
capture setting is written on moto's endpoint-config object and the explainer is added to
DescribeEndpointConfig's answer by a botocore hook on the demo's SageMaker client. The
capture files hold what SageMaker writes for such an endpoint: CSV in, and Clarify's JSON
answer out (bot.explain.clarify), by the hour under `fraud-prod/AllTraffic/yyyy/mm/dd/hh/`.
churn-prod captures too, without an explainer: its answer says how to turn one on.

The fraud model is a made-up logistic score; each record's attributions are its features'
shares of the score's distance from the baseline, so they add up as Kernel SHAP's do.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from bot.demo.backend import backend
from bot.demo.moments import at
from bot.demo.serving import CHURN, ENDPOINTS, FRAUD

BUCKET = "ml-monitoring"
CAPTURE = f"s3://{BUCKET}/datacapture"
FEATURES = (
    "amount",
    "merchant_country",
    "card_age_days",
    "hour_of_day",
    "distance_from_home_km",
    "tx_last_24h",
)
BASELINE_SCORE = 0.04
# (feature, weight per unit away from the baseline, baseline value)
_MODEL = (
    ("amount", 0.0021, 80.0),
    ("merchant_country", 1.6, 0.0),  # 1: abroad
    ("card_age_days", -0.004, 400.0),
    ("hour_of_day", 0.0, 14.0),
    ("distance_from_home_km", 0.0032, 10.0),
    ("tx_last_24h", 0.22, 2.0),
)
SUSPECT = "txn-88231"  # the record the demo's people ask about, a few minutes ago
FRAUD_RECORDS = 48
CHURN_RECORDS = 12
_EXPLAINER = {
    "ClarifyExplainerConfig": {
        "InferenceConfig": {"FeatureHeaders": list(FEATURES)},
        "ShapConfig": {
            "ShapBaselineConfig": {"ShapBaseline": "80,0,400,14,10,2"},
            "NumberOfSamples": 200,
        },
    }
}


def seed_explanations(s3: Any, sagemaker: Any) -> None:
    """Capture on both endpoints, the explainer on fraud-prod, and the capture files."""
    configs = {e.name: e.config for e in ENDPOINTS}
    for endpoint in (FRAUD, CHURN):
        backend("sagemaker").endpoint_configs[configs[endpoint]].data_capture_config = {
            "EnableCapture": True,
            "InitialSamplingPercentage": 100,
            "DestinationS3Uri": CAPTURE,
            "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        }
    sagemaker.meta.events.register(
        "after-call.sagemaker.DescribeEndpointConfig",
        _with_explainer(configs[FRAUD]),
        unique_id="mlpulse-demo-explainer",
    )
    noise = random.Random(1125)
    fraud = [_fraud_line(at(n * 76 / FRAUD_RECORDS), noise) for n in range(FRAUD_RECORDS)]
    suspect = FRAUD_RECORDS - 4
    fraud[suspect] = _fraud_line(at(suspect * 76 / FRAUD_RECORDS), noise, suspect=True)
    churn = [_churn_line(at(n * 6), noise) for n in range(CHURN_RECORDS)]
    for endpoint, lines in ((FRAUD, fraud), (CHURN, churn)):
        for hour, chunk in _by_file(lines).items():
            s3.put_object(
                Bucket=BUCKET,
                Key=f"datacapture/{endpoint}/AllTraffic/{hour}",
                Body=("\n".join(chunk) + "\n").encode(),
            )


def _with_explainer(config: str) -> Any:
    def add(parsed: dict[str, Any], **_: Any) -> None:
        if parsed.get("EndpointConfigName") == config:
            parsed.setdefault("ExplainerConfig", _EXPLAINER)

    return add


def _fraud_line(moment: datetime, noise: random.Random, suspect: bool = False) -> str:
    values = [
        round(noise.lognormvariate(4.3, 0.9), 2),
        float(noise.random() < 0.12),
        float(noise.randint(3, 2400)),
        float(moment.hour),
        round(noise.expovariate(1 / 15), 1),
        float(noise.randint(0, 6)),
    ]
    if suspect:
        values = [1840.0, 1.0, 12.0, float(moment.hour), 412.5, 9.0]
    pushes = [w * (x - b) for (_, w, b), x in zip(_MODEL, values, strict=True)]
    score = 1 / (1 + math.exp(-(math.log(BASELINE_SCORE / (1 - BASELINE_SCORE)) + sum(pushes))))
    total = sum(pushes) or 1.0
    attributions = [p / total * (score - BASELINE_SCORE) for p in pushes]
    answer = {
        "version": "1.0",
        "predictions": {"content_type": "text/csv; charset=utf-8", "data": f"{score:.6f}"},
        "explanations": {
            "kernel_shap": [
                [
                    {"feature_header": name, "attributions": [{"attribution": [round(a, 6)]}]}
                    for name, a in zip(FEATURES, attributions, strict=True)
                ]
            ]
        },
    }
    csv = ",".join(_cell(v) for v in values)
    return _line(moment, csv, ("application/json", json.dumps(answer), "JSON"), suspect, noise)


def _churn_line(moment: datetime, noise: random.Random) -> str:
    csv = ",".join(str(noise.randint(0, 120)) for _ in range(5))
    score = f"{noise.random():.4f}"
    return _line(moment, csv, ("text/csv; charset=utf-8", score, "CSV"), False, noise)


def _line(
    moment: datetime,
    csv: str,
    output: tuple[str, str, str],
    suspect: bool,
    noise: random.Random,
) -> str:
    kind, data, encoding = output
    event = str(uuid.UUID(int=noise.getrandbits(128), version=4))
    meta = {"eventId": event, "inferenceTime": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if suspect:
        meta["inferenceId"] = SUSPECT
    record = {
        "captureData": {
            "endpointInput": {
                "observedContentType": "text/csv",
                "mode": "INPUT",
                "data": csv,
                "encoding": "CSV",
            },
            "endpointOutput": {
                "observedContentType": kind,
                "mode": "OUTPUT",
                "data": data,
                "encoding": encoding,
            },
        },
        "eventMetadata": meta,
        "eventVersion": "0",
    }
    return json.dumps(record, separators=(",", ":"))


def _by_file(lines: list[str]) -> dict[str, list[str]]:
    """Lines grouped as SageMaker writes them: one file per quarter hour, by time."""
    files: dict[str, list[str]] = {}
    for line in lines:
        moment = datetime.strptime(
            json.loads(line)["eventMetadata"]["inferenceTime"], "%Y-%m-%dT%H:%M:%SZ"
        )
        start = moment - timedelta(minutes=moment.minute % 15, seconds=moment.second)
        suffix = uuid.uuid5(uuid.NAMESPACE_URL, start.isoformat())
        name = f"{start:%Y/%m/%d/%H}/{start:%M-%S}-000-{suffix}.jsonl"
        files.setdefault(name, []).append(line)
    return files


def _cell(value: float) -> str:
    return f"{value:g}"
