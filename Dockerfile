# mlpulse: `docker build -t mlpulse . && docker run --env-file .env -p 3000:3000 mlpulse`
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY commands ./commands
COPY notifiers ./notifiers
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 mlpulse
COPY --from=build /install /usr/local
RUN mkdir -p /home/mlpulse/data && chown mlpulse /home/mlpulse/data
USER mlpulse
WORKDIR /home/mlpulse
# Secrets (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, AWS credentials) come from the
# environment at run time; none is baked into the image.
ENV MLPULSE_STORE=sqlite:////home/mlpulse/data/mlpulse.db \
    MLPULSE_PORT=3000 \
    PYTHONUNBUFFERED=1
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD python -c "import os,sys,urllib.request; port=os.environ.get('MLPULSE_PORT','3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"
ENTRYPOINT ["mlpulse"]
CMD ["run"]
