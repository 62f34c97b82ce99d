# Turns bench/run.sh's runs (workload, allocator, run, result line) into
# bench/results.md (on stdout) and a chart (the file named by -v svg=).
# Medians of every figure; ratios are ratios of medians.
BEGIN {
    FS = "\t"
    nw = split(workloads, W, " ")
    na = split(allocs, A, " ")
}

{
    k = $1 SUBSEP $2
    n[k]++
    m = split($4, kv, " ")
    for (i = 1; i <= m; i++) {
        split(kv[i], p, "=")
        v[k, p[1], n[k]] = p[2] + 0
    }
}

function median(k, f,    i, j, c, t, x) {
    c = n[k]
    if (!c) return -1
    for (i = 1; i <= c; i++) x[i] = v[k, f, i]
    for (i = 2; i <= c; i++) {
        t = x[i]
        for (j = i - 1; j >= 1 && x[j] > t; j--) x[j + 1] = x[j]
        x[j + 1] = t
    }
    return c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
}

function ratio(a, b) { return (a > 0 && b > 0) ? a / b : -1 }
function fmt_ratio(r) { return r < 0 ? "-" : sprintf("%.2fx", r) }
function mib(kb) { return kb < 0 ? "-" : sprintf("%.1f", kb / 1024) }
function log2(x) { return log(x) / log(2) }

function header(first,    i, s) {
    s = "| " first " |"
    for (i = 1; i <= na; i++) s = s " " A[i] " |"
    print s
    s = "|---|"
    for (i = 1; i <= na; i++) s = s "---:|"
    print s
}

END {
    for (i = 1; i <= nw; i++)
        for (j = 1; j <= na; j++) {
            k = W[i] SUBSEP A[j]
            T[i, j] = median(k, "time")
            P[i, j] = median(k, "maxrss_kb")
            R[i, j] = median(k, "rss_kb")
            L[i, j] = median(k, "live_kb")
        }
    for (j = 1; j <= na; j++) {
        if (A[j] == "glibc") g = j
        if (A[j] == "mimalloc") mi = j
    }

    print "# Allocator benchmarks"
    print ""
    print "Produced by `make bench` (`bench/run.sh`) on " date ": " machine "."
    print "Median of " runs " runs per workload and allocator, runs interleaved, scale " scale "."
    print "Each workload times itself (monotonic clock) and reports its own peak RSS"
    print "(`getrusage`) and current RSS (`/proc/self/statm`); see `bench/*.c`."
    print ""
    print note
    print ""
    print "![time and peak RSS relative to glibc](results.svg)"
    print ""
    print "## Time, median seconds (ratio to glibc / ratio to mimalloc)"
    print ""
    header("workload")
    for (i = 1; i <= nw; i++) {
        s = "| " W[i] " |"
        for (j = 1; j <= na; j++) {
            rg = g ? ratio(T[i, j], T[i, g]) : -1
            rm = mi ? ratio(T[i, j], T[i, mi]) : -1
            s = s sprintf(" %s (%s / %s) |", T[i, j] < 0 ? "failed" : sprintf("%.3f", T[i, j]),
                          fmt_ratio(rg), fmt_ratio(rm))
            if (rg > 0) { lg[j] += log(rg); cg[j]++ }
            if (rm > 0) { lm[j] += log(rm); cm[j]++ }
        }
        print s
    }
    s = "| **geometric mean** |"
    for (j = 1; j <= na; j++) {
        GG[j] = cg[j] ? exp(lg[j] / cg[j]) : -1
        GM[j] = cm[j] ? exp(lm[j] / cm[j]) : -1
        s = s sprintf(" (%s / %s) |", fmt_ratio(GG[j]), fmt_ratio(GM[j]))
    }
    print s
    print ""
    print "## Peak RSS, median MiB (ratio to glibc)"
    print ""
    header("workload")
    for (i = 1; i <= nw; i++) {
        s = "| " W[i] " |"
        for (j = 1; j <= na; j++)
            s = s sprintf(" %s (%s) |", mib(P[i, j]), fmt_ratio(g ? ratio(P[i, j], P[i, g]) : -1))
        print s
    }
    print ""
    print "## Other figures"
    print ""
    header("figure")
    for (i = 1; i <= nw; i++) {
        if (W[i] == "frag") fi_ = i
        if (W[i] == "mixed") mx = i
        if (W[i] == "mixed-2t") m2 = i
    }
    if (fi_) {
        s = "| frag: RSS after full free + 1 s, MiB |"
        for (j = 1; j <= na; j++) s = s " " mib(R[fi_, j]) " |"
        print s
    }
    if (fi_) {
        s = "| frag: peak RSS / peak live bytes |"
        for (j = 1; j <= na; j++) s = s " " fmt_ratio(ratio(P[fi_, j], L[fi_, j])) " |"
        print s
    }
    if (mx && m2) {
        s = "| scaling: mixed time / mixed-2t time |"
        for (j = 1; j <= na; j++) s = s " " fmt_ratio(ratio(T[mx, j], T[m2, j])) " |"
        print s
    }
    print ""
    print "Targets for minic (issue 5): every time ratio to glibc <= 1.0; geometric mean"
    print "ratio to mimalloc <= 1.1; frag RSS after free <= 64 MiB; scaling >= 1.6;"
    print "frag peak RSS / live <= 1.2."
    print "frag's peak RSS / live counts live bytes as the sizes asked for (16-1024 bytes,"
    print "3 in 4 under 129), its 31 MiB of pointer and size tables included."

    if (svg != "") chart()
}

# Two panels of horizontal bars on a log scale centred on 1 (= glibc): time,
# then peak RSS (plus frag's RSS after free). A bar going left is better.
function chart(    lx, colors, nc, rows, i, j, y, x1, xr, r, h, bar, gap, x0, pw, top, panel, lbl, ph, f, lo, hi) {
    nc = split("#d62728 #7f7f7f #1f77b4 #2ca02c #ff7f0e #9467bd #8c564b", colors, " ")
    bar = 9; gap = 10; x0 = 190; pw = 560; lo = -3; hi = 3
    rows = nw + 1
    ph = 40 + rows * (na * bar + gap)
    h = 40 + 2 * (ph + 30)
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", x0 + pw + 40, h > svg
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n" > svg
    lx = 10
    for (j = 1; j <= na; j++) {
        lbl = A[j] == "minic" && minic_label != "" ? minic_label : A[j]
        printf "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"17\">%s</text>\n",
            lx, colors[(j - 1) % nc + 1], lx + 16, lbl > svg
        lx += 36 + 6.5 * length(lbl)
    }
    for (panel = 1; panel <= 2; panel++) {
        top = 40 + (panel - 1) * (ph + 30)
        printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", top + 8,
            panel == 1 ? "Time relative to glibc (log scale; left is faster)" \
                       : "Peak RSS relative to glibc (log scale; left is smaller)" > svg
        for (f = lo; f <= hi; f++) {
            xr = x0 + (f - lo) / (hi - lo) * pw
            printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\"/>\n", xr, top + 16, xr,
                top + ph - 8, f == 0 ? "black" : "#ddd" > svg
            printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%sx</text>\n", xr,
                top + ph + 4, f < 0 ? "1/" 2 ^ -f : 2 ^ f > svg
        }
        y = top + 22
        for (i = 1; i <= rows; i++) {
            if (i <= nw) lbl = W[i]
            else lbl = panel == 1 ? "geometric mean" : (fi_ ? "frag, after free" : "")
            if (lbl == "") continue
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", x0 - 8, y + na * bar / 2 + 4, lbl > svg
            for (j = 1; j <= na; j++) {
                if (panel == 1) r = i <= nw ? ratio(T[i, j], T[i, g]) : GG[j]
                else r = i <= nw ? ratio(P[i, j], P[i, g]) : ratio(R[fi_, j], R[fi_, g])
                if (r > 0) {
                    f = log2(r)
                    if (f < lo) f = lo
                    if (f > hi) f = hi
                    xr = x0 + (f - lo) / (hi - lo) * pw
                    x1 = x0 + (0 - lo) / (hi - lo) * pw
                    printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s %s: %.2fx</title></rect>\n",
                        xr < x1 ? xr : x1, y, (xr < x1 ? x1 - xr : xr - x1) + 0.5, bar - 1,
                        colors[(j - 1) % nc + 1], lbl, A[j], r > svg
                    printf "<text x=\"%.1f\" y=\"%d\" font-size=\"8\" fill=\"#333\"%s>%.2f</text>\n",
                        xr < x1 ? xr - 2 : xr + 2, y + bar - 2, xr < x1 ? " text-anchor=\"end\"" : "", r > svg
                }
                y += bar
            }
            y += gap
        }
    }
    print "</svg>" > svg
    close(svg)
}
