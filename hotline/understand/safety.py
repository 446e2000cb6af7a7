"""Urgent situations: where a wrong page stated as the answer costs the most, so doubt
between one of these and another page is answered with a short list holding both.

Agents at the door, on the street or at work, a relative detained, an emergency, violence
at home, suicide or self-harm (issue 20). Node ids of flows/main.yaml; `hotline check`
warns when one is missing from the flow (checks.py).
"""
from __future__ import annotations

URGENT = frozenset({"ice_door", "ice_street_work", "ice_detained", "legal_icirr",
                    "emergencies", "emergency_911", "dv_line", "crisis_988"})
