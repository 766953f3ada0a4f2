package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// clientColors are the chart's colours, by client.
var clientColors = map[string]string{
	clientMotor:  "#1f77b4",
	clientDriver: "#ff7f0e",
	clientPython: "#2ca02c",
	clientNode:   "#d62728",
	clientWire:   "#7f7f7f",
	clientRaw:    "#9467bd",
}

// svg draws the median ops/s of every workload and client as grouped horizontal bars on a logarithmic axis (the
// workloads span five decades).
func (rep *report) svg() string {
	const (
		left, right, top = 250.0, 70.0, 60.0
		width            = 1000.0
		barH, gap        = 10.0, 12.0
	)
	type bar struct {
		client string
		ops    float64
	}
	type group struct {
		name string
		bars []bar
	}
	var groups []group
	lo, hi := math.Inf(1), 0.0
	for _, w := range rep.plan.workloads {
		g := group{name: w.name}
		for _, c := range clientsFor(w, rep.plan.clients) {
			if s, ok := rep.res.summary(w.name, c); ok {
				g.bars = append(g.bars, bar{c, s.opsPerSec})
				lo, hi = math.Min(lo, s.opsPerSec), math.Max(hi, s.opsPerSec)
			}
		}
		if len(g.bars) > 0 {
			groups = append(groups, g)
		}
	}
	if len(groups) == 0 {
		return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="40"><text x="10" y="25">no results</text></svg>` + "\n"
	}
	d0, d1 := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	if d1 <= d0 {
		d1 = d0 + 1
	}
	plotW := width - left - right
	x := func(v float64) float64 { return left + (math.Log10(v)-d0)/(d1-d0)*plotW }
	height := top + 30
	for _, g := range groups {
		height += float64(len(g.bars))*barH + gap
	}

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="18" font-size="14" font-weight="bold">Operations per second, median of %d rounds (log scale; longer is faster)</text>`+"\n", left, rep.plan.rounds)
	lx := left
	for _, c := range rep.plan.clients {
		fmt.Fprintf(&b, `<rect x="%.0f" y="30" width="12" height="12" fill="%s"/><text x="%.0f" y="40">%s</text>`+"\n", lx, clientColors[c], lx+16, html.EscapeString(c))
		lx += 40 + 7*float64(len(c))
	}
	bottom := height - 30
	for d := d0; d <= d1; d++ {
		gx := x(math.Pow(10, d))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", gx, top-6, gx, bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%s</text>`+"\n", gx, bottom+14, num(math.Pow(10, d)))
	}
	y := top
	for _, g := range groups {
		gh := float64(len(g.bars)) * barH
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", left-8, y+gh/2, html.EscapeString(g.name))
		for _, br := range g.bars {
			w := math.Max(x(br.ops)-left, 1)
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s %s: %s ops/s</title></rect>`+"\n",
				left, y, w, barH-1, clientColors[br.client], html.EscapeString(g.name), html.EscapeString(br.client), num(br.ops))
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="9" dominant-baseline="middle" fill="#333">%s</text>`+"\n", left+w+3, y+barH/2, num(br.ops))
			y += barH
		}
		y += gap
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#333"/>`+"\n", left, top-6, left, bottom)
	b.WriteString("</svg>\n")
	return b.String()
}
