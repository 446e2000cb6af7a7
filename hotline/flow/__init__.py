"""The flow definition: what the line says and how menus link, loaded from `flows/`."""
from hotline.flow.model import Flow, Node, Service, FlowError, Problem
from hotline.flow.load import load_flow

__all__ = ["Flow", "Node", "Service", "FlowError", "Problem", "load_flow"]
