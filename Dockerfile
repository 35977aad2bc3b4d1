# mlpulse: `docker build -t mlpulse . && docker run --env-file .env -p 3000:3000 mlpulse`
#
# Reproducible: the base image is pinned by digest (the tag before it is for people; the
# digest is what is pulled), and every Python package comes from requirements/runtime.lock
# with its hashes (pip --require-hashes), then mlpulse itself with no dependencies.
# To move to a newer base, replace the digest with the one `docker buildx imagetools
# inspect python:3.11-slim` prints, and run the tests.
ARG PYTHON_IMAGE=python:3.11-slim@sha256:9c900dea9e8fb7e16277c179b555cc72d29a352dbc33cff48ad5a0412fd5bfc7

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/mlpulse
WORKDIR /src
# The lock first, on its own layer: code changes do not reinstall the dependencies.
COPY requirements/runtime.lock requirements/
RUN /opt/mlpulse/bin/pip install --require-hashes -r requirements/runtime.lock
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY commands ./commands
COPY notifiers ./notifiers
# The build backend (setuptools) is in the lock too: nothing unhashed is fetched here.
RUN /opt/mlpulse/bin/pip install --no-deps --no-build-isolation .

FROM ${PYTHON_IMAGE}
# A numeric user, so that Kubernetes' runAsNonRoot (and ECS) can verify it is not root.
RUN groupadd --gid 10001 mlpulse \
    && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/mlpulse mlpulse \
    && install -d -o 10001 -g 10001 /home/mlpulse/data
COPY --from=build /opt/mlpulse /opt/mlpulse
COPY LICENSE /usr/share/doc/mlpulse/LICENSE
USER 10001:10001
WORKDIR /home/mlpulse
# Secrets (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, AWS credentials) come from the
# environment at run time; none is baked into the image. In a container the server must
# listen on every interface (MLPULSE_HOST) for the port mapping or load balancer to reach it.
ENV PATH=/opt/mlpulse/bin:$PATH \
    MLPULSE_STORE=sqlite:////home/mlpulse/data/mlpulse.db \
    MLPULSE_HOST=0.0.0.0 \
    MLPULSE_PORT=3000 \
    PYTHONUNBUFFERED=1
EXPOSE 3000
# Liveness only (/healthz answers 200 while the process works): a Slack or AWS outage
# must not mark every replica unhealthy and restart them all. Readiness is /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request; port=os.environ.get('MLPULSE_PORT','3000'); sys.exit(0 if urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["mlpulse"]
CMD ["run"]
