"""The architecture diagram of an answer set, drawn from the spec's components and flows.

Standard library only: the post-generation hook imports this module to put the diagram
into the rendered project's README, in whatever interpreter cookiecutter runs.

Mermaid (rendered by GitHub and most Markdown viewers) is the main format; Graphviz DOT
is offered for an SVG or PNG where `dot` is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator import spec
from generator.errors import RefarchError


@dataclass
class Group:
    """A box of the diagram: a tier, or a component that contains others."""

    id: str
    title: str
    nodes: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


@dataclass
class Edge:
    source: str
    target: str
    label: str


@dataclass
class Drawing:
    """What a diagram shows, independent of its syntax."""

    labels: dict[str, str]  # node or group id -> label
    actors: list[str]
    groups: list[Group]
    edges: list[Edge]


def _steps(steps: tuple[int, ...]) -> str:
    if not steps:
        return ""
    return ("step " if len(steps) == 1 else "steps ") + ", ".join(map(str, steps))


def _component_label(component: spec.Component) -> str:
    steps = _steps(component.steps)
    return f"{component.title}\n{steps}" if steps else component.title


def _flow_label(flow: spec.Flow) -> str:
    return f"{', '.join(map(str, flow.steps))}: {flow.label}" if flow.steps else flow.label


def drawing(answers: dict[str, str]) -> Drawing:
    """The enabled components grouped by tier, and the flows between them."""
    enabled = {c.name: c for c in spec.enabled_components(answers)}
    labels: dict[str, str] = {}
    edges: list[Edge] = []
    for flow in spec.FLOWS:
        source = next((s for s in flow.sources if s in enabled or s in spec.ACTORS), None)
        if source is None or flow.target not in {*enabled, *spec.ACTORS}:
            continue
        if not spec.all_hold(flow.enabled_when, answers):
            continue
        edges.append(Edge(source, flow.target, _flow_label(flow)))
    actors = [a for a in spec.ACTORS if any(a in (e.source, e.target) for e in edges)]
    labels.update({a: spec.ACTORS[a] for a in actors})

    contained = {member for c in enabled.values() for member in c.contains}

    def place(component: spec.Component) -> tuple[str | None, Group | None]:
        if not component.contains:
            labels[component.name] = _component_label(component)
            return component.name, None
        labels[component.name] = component.title  # its members carry the steps
        group = Group(component.name, component.title)
        for member in component.contains:
            if member in enabled:
                node, inner = place(enabled[member])
                if inner:
                    group.groups.append(inner)
                else:
                    group.nodes.append(node)
        return None, group

    groups = []
    tiers = {**spec.TIERS}
    for component in enabled.values():
        tiers.setdefault(component.tier, spec.Tier(component.tier.capitalize(), component.unit))
    for tier_name, tier in tiers.items():
        members = [c for c in enabled.values() if c.tier == tier_name and c.name not in contained]
        if not members:
            continue
        whole_tier = next((c for c in members if c.name == tier_name and c.contains), None)
        if whole_tier is not None:
            # The component that is the whole tier (e.g. the analytics unit) draws the tier's box.
            _, box = place(whole_tier)
            labels[whole_tier.name] = box.title = tier.title
        else:
            box = Group(f"tier_{tier_name}", tier.title)
        for component in members:
            if component is whole_tier:
                continue
            node, inner = place(component)
            if inner:
                box.groups.append(inner)
            else:
                box.nodes.append(node)
        groups.append(box)
    return Drawing(labels, actors, groups, edges)


# --------------------------------------------------------------------------- Mermaid


def _arrows(text: str) -> str:
    return text.replace("->", "\u2192")


def _mermaid_text(text: str) -> str:
    escaped = _arrows(text).replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("\n", "<br>")


def mermaid(answers: dict[str, str]) -> str:
    """A Mermaid flowchart of exactly the enabled components, grouped by tier."""
    picture = drawing(answers)
    lines = ["flowchart LR"]
    for actor in picture.actors:
        lines.append(f'  {actor}(["{_mermaid_text(picture.labels[actor])}"])')

    def emit(group: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f'{pad}subgraph {group.id}["{_mermaid_text(picture.labels.get(group.id, group.title))}"]')
        for node in group.nodes:
            lines.append(f'{pad}  {node}["{_mermaid_text(picture.labels[node])}"]')
        for inner in group.groups:
            emit(inner, depth + 1)
        lines.append(f"{pad}end")

    for group in picture.groups:
        emit(group, 1)
    for edge in picture.edges:
        lines.append(f'  {edge.source} -->|"{_mermaid_text(edge.label)}"| {edge.target}')
    if picture.actors:
        lines.append("  classDef actor fill:#fff,stroke:#555,stroke-dasharray:4 3")
        lines.append(f"  class {','.join(picture.actors)} actor")
    return "\n".join(lines) + "\n"


def markdown(answers: dict[str, str]) -> str:
    """The Mermaid diagram as a fenced block, as GitHub renders it."""
    return "```mermaid\n" + mermaid(answers) + "```\n"


# --------------------------------------------------------------------------- Graphviz


def _dot_text(text: str) -> str:
    return _arrows(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def dot(answers: dict[str, str]) -> str:
    """The same drawing in Graphviz DOT, for `dot -Tsvg` or `dot -Tpng`."""
    picture = drawing(answers)
    lines = [
        "digraph architecture {",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for actor in picture.actors:
        lines.append(f'  {actor} [label="{_dot_text(picture.labels[actor])}", shape=oval, style=dashed];')

    def emit(group: Group, depth: int) -> None:
        pad = "  " * depth
        lines.append(f"{pad}subgraph cluster_{group.id} {{")
        lines.append(f'{pad}  label="{_dot_text(picture.labels.get(group.id, group.title))}";')
        for node in group.nodes:
            lines.append(f'{pad}  {node} [label="{_dot_text(picture.labels[node])}"];')
        for inner in group.groups:
            emit(inner, depth + 1)
        lines.append(f"{pad}}}")

    for group in picture.groups:
        emit(group, 1)
    anchors = {g.id: g for g in _all_groups(picture.groups)}
    for edge in picture.edges:
        source, target, extra = edge.source, edge.target, []
        # DOT edges join nodes; an edge to a box is drawn to its first node and clipped at the box.
        if source in anchors:
            extra.append(f"ltail=cluster_{source}")
            source = _first_node(anchors[source])
        if target in anchors:
            extra.append(f"lhead=cluster_{target}")
            target = _first_node(anchors[target])
        attributes = ", ".join([f'label="{_dot_text(edge.label)}"', *extra])
        lines.append(f"  {source} -> {target} [{attributes}];")
    lines.append("  compound=true;")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _all_groups(groups: list[Group]) -> list[Group]:
    return [g for group in groups for g in (group, *_all_groups(group.groups))]


def _first_node(group: Group) -> str:
    return group.nodes[0] if group.nodes else _first_node(group.groups[0])


class GraphvizMissing(RefarchError):
    """An image was asked for but Graphviz's `dot` is not installed."""


def write_image(answers: dict[str, str], target: Path) -> Path:
    """Render the diagram to an SVG or PNG file with Graphviz."""
    fmt = target.suffix.lstrip(".").lower()
    if fmt not in ("svg", "png"):
        raise ValueError(f"{target}: an image must end in .svg or .png")
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissing("Graphviz is not installed (no `dot` on PATH); use the Mermaid output instead")
    subprocess.run([executable, f"-T{fmt}", "-o", str(target)], input=dot(answers), text=True, check=True)
    return target
