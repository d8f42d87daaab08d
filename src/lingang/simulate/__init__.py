"""The zone simulator: a Lingang zone of simulated enterprises and a year (or more) of trade,
payments, gate movements, dangerous-goods manifests and registrations, with labelled risk
patterns and their ground truth. Everything it makes is simulated; see docs/simulator.md.

Typical use::

    plan = plan_zone(ZoneParams(enterprises=2000, days=365, seed=7), settings.hs_nomenclature)
    run_simulation(plan, out_dir=Path("out"))               # Parquet files + truth + manifest
    zone = simulate_zone(params, settings.hs_nomenclature)  # or everything in memory
"""

from lingang.simulate.load import Report, Target, register, run_simulation, simulation_dir
from lingang.simulate.params import RiskRates, ZoneParams
from lingang.simulate.risk.truth import PATTERNS
from lingang.simulate.zone import Plan, SimulatedZone, iter_chunks, plan_zone, simulate_zone

__all__ = [
    "PATTERNS",
    "Plan",
    "Report",
    "RiskRates",
    "SimulatedZone",
    "Target",
    "ZoneParams",
    "iter_chunks",
    "plan_zone",
    "register",
    "run_simulation",
    "simulate_zone",
    "simulation_dir",
]
