FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN SECRET_KEY=collectstatic-only DATA_DIR=/app/var python manage.py collectstatic --noinput
EXPOSE 8000
# One worker process per core, a few threads each: measured best on 2 cores (docs/scaling.md).
CMD ["gunicorn", "rmprog.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "gthread", "--threads", "4"]
