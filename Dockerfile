# The BFF image: one image for both clients (BFF_CLIENT picks which one a container serves).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BFF_ENV=production

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bff ./bff
COPY clients ./clients
COPY schema ./schema
COPY mocks ./mocks
RUN pip install . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bff

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
# BFF_CLIENT (mobile, web or all) and BFF_WORKERS come from the environment.
CMD ["bff", "serve", "--host", "0.0.0.0", "--port", "8000"]
