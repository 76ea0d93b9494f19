/// The report's inline style sheet: system fonts only, print friendly, colours with
/// text and patterns beside them (never the only signal).
enum HTMLStyle {
    static let css = """
    :root { --ink: #1f2933; --muted: #52606d; --line: #cbd2d9; --bar: #2f6fb3; --bar2: #c2410c; --good: #1e7b34; --bad: #b42318; --bg: #f5f7fa; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
    header, main, footer { max-width: 1200px; margin: 0 auto; padding: 16px 24px; }
    header { background: #fff; border-bottom: 3px solid var(--bar); max-width: none; }
    h1 { margin: 0 0 8px; font-size: 24px; }
    h2 { font-size: 19px; margin: 28px 0 12px; }
    h3 { font-size: 15px; margin: 0 0 6px; }
    .meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; color: var(--muted); }
    .meta dt { font-weight: 600; }
    .meta dd { margin: 0; }
    .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 12px; }
    .tile { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
    .tile-title { color: var(--muted); font-weight: 600; }
    .tile-value { font-size: 28px; font-weight: 700; margin: 2px 0 6px; font-variant-numeric: tabular-nums; }
    .tile-target, .tile-change { margin: 2px 0; font-size: 13px; }
    .met, .good { color: var(--good); }
    .missed, .bad { color: var(--bad); }
    .flat { color: var(--muted); }
    .nodata { color: var(--muted); font-style: italic; }
    .tile-value.nodata { font-size: 18px; }
    .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
    figure.chart { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; min-width: 0; }
    figure.chart svg { display: block; max-width: 100%; height: auto; }
    svg .axis { stroke: var(--muted); stroke-width: 1; }
    svg .bar { fill: var(--bar); }
    svg .bar2 { stroke: var(--bar2); stroke-width: 1; }
    svg .hatch { stroke: var(--bar2); stroke-width: 3; }
    svg .hatch-bg { fill: #fde8dc; }
    svg .line { fill: none; stroke: var(--bar); stroke-width: 2; }
    svg .dot { fill: var(--bar); }
    svg .cell { fill: var(--bar); }
    svg text { font-size: 12px; fill: var(--ink); }
    svg text.small { font-size: 10px; }
    svg .cellv { font-size: 9px; }
    svg .cellv.inv { fill: #fff; }
    svg .lbl { fill: var(--muted); }
    details { margin-top: 6px; font-size: 13px; }
    .scroll { overflow-x: auto; }
    table.data { border-collapse: collapse; width: 100%; background: #fff; font-size: 14px; }
    table.data caption { text-align: left; color: var(--muted); padding: 4px 0; }
    table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 6px 10px; text-align: left; vertical-align: top; }
    table.data td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    table.data th.name { max-width: 320px; overflow-wrap: anywhere; font-weight: 500; }
    table.data td.warn { color: var(--bad); font-weight: 700; }
    bdi { unicode-bidi: isolate; }
    .note { color: var(--muted); margin: 4px 0; }
    .note.warn { color: var(--bad); }
    code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; background: #e4e7eb; padding: 0 4px; border-radius: 3px; }
    #topics .grid { margin-top: 12px; }
    #topics .scroll { margin-top: 16px; }
    #table-topics th.name { min-width: 8em; }
    #table-call-stages th.name { min-width: 7em; }
    table.staffing-grid td.short { color: var(--bad); font-weight: 700; }
    table.data tr.none th.name { font-style: italic; color: var(--muted); }
    form.filters { max-width: 1200px; margin: 0 auto; padding: 12px 24px 0; display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-start; }
    form.filters fieldset { border: 1px solid var(--line); border-radius: 6px; background: #fff; padding: 4px 10px 8px; margin: 0; }
    form.filters legend { color: var(--muted); font-weight: 600; font-size: 13px; }
    form.filters label { margin-right: 10px; font-size: 14px; white-space: nowrap; }
    form.filters p { flex-basis: 100%; margin: 0; }
    a.drill { color: inherit; text-decoration: underline; text-decoration-color: var(--bar); text-underline-offset: 3px; }
    .tile-drill { margin: 2px 0; font-size: 13px; }
    pre#explain { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow-x: auto; font-size: 13px; }
    footer { color: var(--muted); font-size: 12px; }
    @media print { body { background: #fff; } .grid { grid-template-columns: 1fr; } details { display: none; } }

    """
}
