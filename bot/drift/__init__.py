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
Our own statistics (`mlpulse drift --baseline A.csv --current B.csv`)
    datasets         CSV files and SageMaker data-capture JSON lines
    compare          typing, then every feature compared, with its verdict
    stats, grid      PSI, Kolmogorov–Smirnov and Jensen–Shannon, and their thresholds
Output
    render           Slack payloads (escaped, within Block Kit limits)
    textual          plain text for the terminal and the attached full report
    clarify_text     a Clarify analysis as lines, for both of them
    chart            one feature's distribution, baseline against current, as a PNG
    cli              the `mlpulse drift` subcommand
"""
