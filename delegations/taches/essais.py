"""For tests: run the queued tasks in this process, as a worker would (claim, run, record)."""

from __future__ import annotations

from django_tasks_db.models import DBTaskResult

from .travailleur import Travail


def executer_taches_en_attente(limite: int = 100) -> int:
    """Run every ready task once, in queue order; returns how many ran."""
    travail = Travail(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="essais",
        excluded_queue_names=[],
    )
    executees = 0
    while executees < limite:
        resultat = DBTaskResult.objects.ready().first()
        if resultat is None:
            break
        resultat.claim(travail.worker_id)
        travail.run_task(resultat)
        executees += 1
    return executees
