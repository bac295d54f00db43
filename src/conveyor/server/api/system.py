"""/healthz (the database answers) and /metrics (Prometheus text); neither needs a token."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from conveyor.server.api.deps import Ctx

router = APIRouter(tags=["system"])


@router.get("/healthz")
def healthz(ctx: Ctx) -> JSONResponse:
    """200 when the database answers, 503 otherwise."""
    try:
        with ctx.tx() as session:
            session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JSONResponse({"status": "database unavailable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/metrics")
def metrics(ctx: Ctx) -> Response:
    """Builds by status, queue length and request latency, in Prometheus text format."""
    return Response(ctx.metrics.render(), media_type="text/plain; version=0.0.4")
