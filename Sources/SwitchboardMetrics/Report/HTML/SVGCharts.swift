import Foundation

/// Inline SVG charts for the HTML report. Every chart is a `<figure>` with a visible
/// title, an SVG with `<title>`/`<desc>` (its text alternative) and the data as a table
/// beside it; values are written on the marks, so colour is never the only signal.
/// Without data a chart is a "No data" note under its title, never an empty drawing.
public enum SVGCharts {
    /// One mark of a bar chart: its label, its value and how the value is shown.
    public struct Bar: Sendable {
        public var label: String
        public var value: Double
        public var text: String
        public init(_ label: String, _ value: Double, _ text: String) {
            self.label = label
            self.value = value
            self.text = text
        }
    }

    static let width = 720.0

    /// The frame around a chart: title, text alternative, the drawing, the data table.
    static func figure(id: String, title: String, summary: String, svg: String?, height: Double,
                       table: (header: [String], rows: [[String]])) -> String {
        let t = HTMLFormat.escape(title)
        var out = "<figure class=\"chart\" id=\"\(id)\" aria-labelledby=\"\(id)-h\">\n"
        out += "<figcaption><h3 id=\"\(id)-h\" class=\"chart-title\">\(t)</h3></figcaption>\n"
        guard let svg else {
            return out + "<p class=\"nodata\" role=\"note\">No data for this period.</p>\n</figure>\n"
        }
        out += "<svg role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        out += "width=\"100%\" preserveAspectRatio=\"xMinYMin meet\">"
        out += "<title id=\"\(id)-t\">\(t)</title><desc id=\"\(id)-d\">\(HTMLFormat.escape(summary))</desc>\n"
        out += svg + "</svg>\n<details><summary>Data table: \(t)</summary>\n<table class=\"data\"><thead><tr>"
        for h in table.header { out += "<th scope=\"col\">\(HTMLFormat.escape(h))</th>" }
        out += "</tr></thead><tbody>\n"
        for row in table.rows {
            out += "<tr>" + row.enumerated().map { i, c in i == 0 ? "<th scope=\"row\"><bdi>\(HTMLFormat.escape(c))</bdi></th>" : "<td>\(HTMLFormat.escape(c))</td>" }.joined() + "</tr>\n"
        }
        return out + "</tbody></table></details>\n</figure>\n"
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Vertical bars with the value above each bar and the label below.
    public static func bars(id: String, title: String, valueName: String, bars: [Bar]) -> String {
        let h = 240.0, top = 24.0, bottom = 40.0, left = 8.0
        let hasData = bars.contains { $0.value > 0 }
        let maxV = bars.map(\.value).max() ?? 0
        let slot = (width - 2 * left) / Double(max(bars.count, 1))
        let barW = max(min(slot * 0.7, 80), 4)
        var svg = "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(h - bottom))\" x2=\"\(f(width - left))\" y2=\"\(f(h - bottom))\"/>\n"
        let small = bars.count > 16
        for (i, b) in bars.enumerated() {
            let bh = maxV > 0 ? (h - top - bottom) * b.value / maxV : 0
            let x = left + slot * Double(i) + (slot - barW) / 2, cx = x + barW / 2
            svg += "<rect class=\"bar\" x=\"\(f(x))\" y=\"\(f(h - bottom - bh))\" width=\"\(f(barW))\" height=\"\(f(bh))\"><title>"
            svg += "\(HTMLFormat.escape(b.label)): \(HTMLFormat.escape(b.text))</title></rect>"
            svg += "<text class=\"val\(small ? " small" : "")\" x=\"\(f(cx))\" y=\"\(f(h - bottom - bh - 5))\" text-anchor=\"middle\">\(HTMLFormat.escape(b.text))</text>"
            svg += "<text class=\"lbl\(small ? " small" : "")\" x=\"\(f(cx))\" y=\"\(f(h - bottom + 16))\" text-anchor=\"middle\">\(HTMLFormat.escape(b.label))</text>\n"
        }
        let summary = bars.map { "\($0.label): \($0.text)" }.joined(separator: "; ")
        return figure(id: id, title: title, summary: "\(title). \(summary).", svg: hasData ? svg : nil, height: h,
                      table: (["Bucket", valueName], bars.map { [$0.label, $0.text] }))
    }

    /// A line over labelled points (one point is drawn as a dot); min, max and last value written out.
    public static func line(id: String, title: String, valueName: String, points: [(String, Double)],
                            format: (Double) -> String) -> String {
        let h = 240.0, top = 28.0, bottom = 40.0, left = 40.0, right = 40.0
        guard !points.isEmpty else {
            return figure(id: id, title: title, summary: "", svg: nil, height: h, table: ([], []))
        }
        let maxV = max(points.map(\.1).max() ?? 0, 1)
        let step = points.count > 1 ? (width - left - right) / Double(points.count - 1) : 0
        func x(_ i: Int) -> Double { points.count > 1 ? left + step * Double(i) : width / 2 }
        func y(_ v: Double) -> Double { h - bottom - (h - top - bottom) * v / maxV }
        var svg = "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(h - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(h - bottom))\"/>\n"
        svg += "<text class=\"lbl\" x=\"\(f(left - 6))\" y=\"\(f(y(maxV) + 4))\" text-anchor=\"end\">\(HTMLFormat.escape(format(maxV)))</text>"
        svg += "<text class=\"lbl\" x=\"\(f(left - 6))\" y=\"\(f(h - bottom + 4))\" text-anchor=\"end\">0</text>\n"
        if points.count > 1 {
            let path = points.enumerated().map { i, p in "\(i == 0 ? "M" : "L")\(f(x(i))),\(f(y(p.1)))" }.joined(separator: " ")
            svg += "<path class=\"line\" d=\"\(path)\"/>\n"
        }
        let every = max(1, points.count / 8)
        for (i, p) in points.enumerated() {
            svg += "<circle class=\"dot\" cx=\"\(f(x(i)))\" cy=\"\(f(y(p.1)))\" r=\"\(points.count > 60 ? 1.5 : 3.5)\"><title>"
            svg += "\(HTMLFormat.escape(p.0)): \(HTMLFormat.escape(format(p.1)))</title></circle>"
            if i % every == 0 || i == points.count - 1 {
                svg += "<text class=\"lbl small\" x=\"\(f(x(i)))\" y=\"\(f(h - bottom + 16))\" text-anchor=\"middle\">\(HTMLFormat.escape(p.0))</text>"
            }
        }
        if let last = points.last {
            svg += "<text class=\"val\" x=\"\(f(x(points.count - 1)))\" y=\"\(f(y(last.1) - 8))\" text-anchor=\"\(points.count > 1 ? "end" : "middle")\">"
            svg += "\(HTMLFormat.escape(format(last.1)))</text>\n"
        }
        let peak = points.max { $0.1 < $1.1 }!
        let summary = "\(title): \(points.count) points from \(points.first!.0) to \(points.last!.0); "
            + "last \(format(points.last!.1)), highest \(format(peak.1)) on \(peak.0)."
        return figure(id: id, title: title, summary: summary, svg: svg, height: h,
                      table: (["Day", valueName], points.map { [$0.0, format($0.1)] }))
    }

    /// Rows × 24 hours; cell shade grows with the value and non-zero values are written in the cell.
    public static func heatmap(id: String, title: String, rows: [(String, [Int])]) -> String {
        let left = 48.0, top = 22.0, cell = (width - left - 8) / 24, rowH = 26.0
        let h = top + rowH * Double(rows.count) + 8
        let maxV = rows.flatMap(\.1).max() ?? 0
        var svg = ""
        for hour in 0..<24 where hour % 3 == 0 {
            svg += "<text class=\"lbl small\" x=\"\(f(left + cell * (Double(hour) + 0.5)))\" y=\"14\" text-anchor=\"middle\">\(hour < 10 ? "0" : "")\(hour):00</text>"
        }
        for (r, row) in rows.enumerated() {
            let y = top + rowH * Double(r)
            svg += "<text class=\"lbl\" x=\"\(f(left - 6))\" y=\"\(f(y + rowH / 2 + 4))\" text-anchor=\"end\">\(HTMLFormat.escape(row.0))</text>"
            for (hour, v) in row.1.enumerated() {
                let level = maxV > 0 ? Double(v) / Double(maxV) : 0
                let x = left + cell * Double(hour)
                svg += "<rect class=\"cell\" x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(cell - 1))\" height=\"\(f(rowH - 2))\" "
                svg += "fill-opacity=\"\(String(format: "%.2f", v > 0 ? 0.12 + 0.88 * level : 0.03))\"><title>\(HTMLFormat.escape(row.0)) \(hour):00: \(v)</title></rect>"
                if v > 0 {
                    svg += "<text class=\"cellv\(level > 0.55 ? " inv" : "")\" x=\"\(f(x + cell / 2))\" y=\"\(f(y + rowH / 2 + 3))\" text-anchor=\"middle\">\(v)</text>"
                }
            }
            svg += "\n"
        }
        let total = rows.flatMap(\.1).reduce(0, +)
        var busiest = ("", 0, 0)
        for row in rows { for (hour, v) in row.1.enumerated() where v > busiest.2 { busiest = (row.0, hour, v) } }
        let summary = "\(title): \(total) conversations; busiest \(busiest.0) \(busiest.1):00 with \(busiest.2)."
        let table = (["Weekday"] + (0..<24).map { "\($0)" }, rows.map { [$0.0] + $0.1.map(String.init) })
        return figure(id: id, title: title, summary: summary, svg: total > 0 ? svg : nil, height: h, table: table)
    }

    /// Horizontal bars with the label on the left and the value text on the right, in the given order.
    /// Each bar carries its raw value in `data-value`; a label longer than the left column is shortened
    /// with "…" (the full label is in the bar's tooltip and the data table). `labelName` heads the table's
    /// first column.
    public static func horizontalBars(id: String, title: String, valueName: String, labelName: String = "Channel",
                                      bars: [Bar]) -> String {
        let rowH = 30.0, left = 150.0, right = 170.0
        let h = rowH * Double(bars.count) + 10
        let maxV = bars.map(\.value).max() ?? 0
        var svg = ""
        for (i, b) in bars.enumerated() {
            let y = 5 + rowH * Double(i)
            let w = maxV > 0 ? (width - left - right) * max(b.value, 0) / maxV : 0
            let raw = b.value.isFinite ? JSONWriter.format(b.value) : ""
            svg += "<text class=\"lbl\" x=\"\(f(left - 8))\" y=\"\(f(y + rowH / 2 + 3))\" text-anchor=\"end\">\(HTMLFormat.escape(short(b.label, 20)))</text>"
            svg += "<rect class=\"bar\" x=\"\(f(left))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 10))\" data-value=\"\(raw)\">"
            svg += "<title>\(HTMLFormat.escape(b.label)): \(HTMLFormat.escape(b.text))</title></rect>"
            svg += "<text class=\"val\" x=\"\(f(left + w + 6))\" y=\"\(f(y + rowH / 2 + 3))\">\(HTMLFormat.escape(b.text))</text>\n"
        }
        let summary = "\(title): " + bars.map { "\($0.label) \($0.text)" }.joined(separator: "; ") + "."
        return figure(id: id, title: title, summary: summary, svg: bars.contains { $0.value > 0 } ? svg : nil, height: h,
                      table: ([labelName, valueName], bars.map { [$0.label, $0.text] }))
    }

    /// At most `n` characters: longer text keeps its first `n − 1` and ends with "…".
    static func short(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(n - 1)) + "…"
    }

    /// Two rates per hour side by side: the first hatched, the second solid, with a legend in words.
    public static func pairedRates(id: String, title: String, names: (String, String),
                                   rows: [(String, Double?, Double?)]) -> String {
        let h = 260.0, top = 40.0, bottom = 40.0, left = 8.0
        let slot = (width - 2 * left) / Double(max(rows.count, 1))
        let barW = max(min(slot * 0.38, 30), 3)
        var svg = "<defs><pattern id=\"\(id)-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        svg += "<rect width=\"6\" height=\"6\" class=\"hatch-bg\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch\"/></pattern></defs>\n"
        svg += "<rect x=\"\(f(left))\" y=\"6\" width=\"14\" height=\"12\" fill=\"url(#\(id)-hatch)\" class=\"bar2\"/>"
        svg += "<text class=\"lbl\" x=\"\(f(left + 20))\" y=\"16\">\(HTMLFormat.escape(names.0)) (hatched)</text>"
        svg += "<rect x=\"\(f(left + 260))\" y=\"6\" width=\"14\" height=\"12\" class=\"bar\"/>"
        svg += "<text class=\"lbl\" x=\"\(f(left + 280))\" y=\"16\">\(HTMLFormat.escape(names.1)) (solid)</text>\n"
        svg += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(h - bottom))\" x2=\"\(f(width - left))\" y2=\"\(f(h - bottom))\"/>\n"
        for (i, r) in rows.enumerated() {
            let x0 = left + slot * Double(i) + slot / 2 - barW
            for (k, v) in [r.1, r.2].enumerated() {
                let bh = (h - top - bottom) * (v ?? 0)
                let x = x0 + Double(k) * barW
                let name = k == 0 ? names.0 : names.1
                svg += "<rect class=\"\(k == 0 ? "bar2" : "bar")\" x=\"\(f(x))\" y=\"\(f(h - bottom - bh))\" width=\"\(f(barW - 1))\" height=\"\(f(bh))\""
                svg += (k == 0 ? " fill=\"url(#\(id)-hatch)\"" : "") + "><title>\(HTMLFormat.escape(r.0)) \(HTMLFormat.escape(name)): \(HTMLFormat.percent(v))</title></rect>"
            }
            svg += "<text class=\"lbl small\" x=\"\(f(x0 + barW))\" y=\"\(f(h - bottom + 14))\" text-anchor=\"middle\">\(HTMLFormat.escape(r.0))</text>\n"
        }
        let summary = "\(title): " + rows.map { "\($0.0) \(names.0) \(HTMLFormat.percent($0.1)), \(names.1) \(HTMLFormat.percent($0.2))" }
            .joined(separator: "; ") + "."
        return figure(id: id, title: title, summary: summary, svg: rows.isEmpty ? nil : svg, height: h,
                      table: (["Hour", names.0, names.1], rows.map { [$0.0, HTMLFormat.percent($0.1), HTMLFormat.percent($0.2)] }))
    }
}
