"""The flow definition: what the line says and how menus link, loaded from `flows/`."""
from hotline.flow.load import load_flow
from hotline.flow.model import Flow, FlowError, Node, Problem, Service

__all__ = ["Flow", "Node", "Service", "FlowError", "Problem", "load_flow"]
