"""Explain: why a model predicted what it did, from SageMaker data capture and Clarify.

Reading (pure)
    capture              data-capture JSON lines into records; bad lines counted, never raised
    payloads             captured CSV / JSON payloads into records
    clarify              the explainer config, and Clarify online explainability answers
    predictions          a captured invocation into `Prediction`s (model), one per record
    where                the `--where 'score>0.9'` filter, parsed by hand
    scan                 which predictions to show, read newest first, with counts
Gathering (AWS)
    capture_files        an endpoint's capture files on S3, newest first
    endpoint             the whole `/mlpulse explain ENDPOINT` answer's facts (answer)
    live                 `--live`: invoke the endpoint again with EnableExplanations
Output
    wording              the answer's words once; render (Slack) and textual (terminal)
    chart                a waterfall for one prediction, signed bars for several
It sits above bot.drift, whose folders (files) and monitoring schedules (schedules) it reads.
"""
