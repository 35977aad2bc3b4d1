"""Drift: SageMaker Model Monitor results in readable form, and drift statistics of our own.

Model Monitor results (`mlpulse drift LOCATION`, `/mlpulse drift ENDPOINT`)
    files, s3folder  where results live: a local folder or an s3:// prefix
    parse            the JSON files (violations, statistics, constraints, Clarify analysis)
    findings         one violation: its monitor, severity, magnitude, display order
    figures          baseline-against-current figures, formatted once
    evidence         each violation joined with the statistics and constraints beside it
    evaluate         the constraints evaluated by mlpulse when there is no violations file
    distance         Model Monitor's baseline drift distance (L-infinity) from two statistics
    clarify          a Clarify analysis: bias metrics and global SHAP attributions
    reports          a folder or prefix read into a `Report`
    schedules        the monitoring schedules of an endpoint and their latest executions
    monitors         the whole `/mlpulse drift ENDPOINT` answer, and its chart
    summary          `violation_summary`: one paragraph for an alert
Our own statistics (`mlpulse drift --baseline A --current B`)
    sources          a file, S3 object or capture folder opened; gzip, Parquet, capture told
    sniff, capture   a text file's delimiter, header and kinds; data capture as CSV rows
    datasets         both sides streamed with pyarrow: kept while they fit, else on a grid
    columns          one feature's accumulator on one side (values, sample, grid counts)
    compare          every feature compared, with n, verdict, new and vanished categories
    stats, grid      PSI (+ its bias and chi-square test), exact KS, JS, and the verdicts
    binned           PSI and KS from counts on a grid of baseline quantiles
Output
    render           Slack payloads (escaped, within Block Kit limits)
    textual          plain text for the terminal and the attached full report
    clarify_text     a Clarify analysis as lines, for both of them
    chart            one feature's distribution, baseline against current, as a PNG
    cli              the `mlpulse drift` subcommand
"""
