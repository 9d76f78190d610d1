"""The graph stage (issue 3): dependency graph, circular groups, evaluation order, lineage.

    summary = build_to(stage)   # reads parse/, writes graph/ (see core/stage.py for the schemas)
"""

from __future__ import annotations

from core.graph.build import GraphSummary, build_to
from core.graph.cycles import CycleAnalysis, analyse
from core.graph.index import FormulaIndex
from core.graph.lineage import LineageRows

__all__ = ["CycleAnalysis", "FormulaIndex", "GraphSummary", "LineageRows", "analyse", "build_to"]
