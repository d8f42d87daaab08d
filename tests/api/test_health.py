"""Health, readiness, metrics, OpenAPI docs and JSON errors for unknown routes."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_healthz_is_ok(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


def test_readyz_checks_database_and_bus(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "bus": "ok"}


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert (
        'lingang_http_requests_total{method="GET",route="/healthz",status="200"}' in response.text
    )


def test_openapi_docs_are_served_without_a_cdn(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "/api/docs-static/swagger-ui-bundle.js" in page.text
    assert client.get("/api/docs-static/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/api/openapi.json").json()
    operation_ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert {"auth-token", "users-create", "audit-verify", "enterprises-get"} <= operation_ids


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
