# Turns bench/run.sh's runs (workload, allocator, run, result line) into
# bench/results.md (on stdout) and a chart (the file named by -v svg=).
# Medians of every figure; ratios are ratios of medians.
BEGIN {
    FS = "\t"
    nw = split(workloads, W, " ")
    na = split(allocs, A, " ")
}

{
    # The fifth field says whether the run was made under load.
    mode = NF >= 5 && $5 != "" ? $5 : "quiet"
    if (mode == "loaded") loaded_runs++
    k = $1 SUBSEP $2 SUBSEP mode
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

function header(first, more,    i, s, m, M) {
    s = "| " first " |"
    for (i = 1; i <= na; i++) s = s " " A[i] " |"
    m = split(more, M, "|")
    for (i = 1; i <= m; i++) s = s " " M[i] " |"
    print s
    s = "|---|"
    for (i = 1; i <= na + m; i++) s = s "---:|"
    print s
}

# The allocators minic is compared with (every column not minic's own).
function peer(j) { return A[j] !~ /^minic/ }

# The workload row named w, or 0.
function row(w,    i) {
    for (i = 1; i <= nw; i++) if (W[i] == w) return i
    return 0
}

# A row of "1-thread time / 2-thread time" for workload w and w "-2t".
function scaling_row(w,    a, b, j, s) {
    a = row(w); b = row(w "-2t")
    if (!a || !b) return
    s = "| scaling: " w " time / " w "-2t time |"
    for (j = 1; j <= na; j++) s = s " " fmt_ratio(ratio(T[a, j], T[b, j])) " |"
    print s
}

END {
    for (i = 1; i <= nw; i++)
        for (j = 1; j <= na; j++) {
            k = W[i] SUBSEP A[j] SUBSEP "quiet"
            T[i, j] = median(k, "time")
            P[i, j] = median(k, "maxrss_kb")
            R[i, j] = median(k, "rss_kb")
            L[i, j] = median(k, "live_kb")
            TL[i, j] = median(W[i] SUBSEP A[j] SUBSEP "loaded", "time")
        }
    for (j = 1; j <= na; j++) {
        if (A[j] == "glibc") g = j
        if (A[j] == "mimalloc") mi = j
        if (A[j] == "minic") mc = j
    }

    print "# Allocator benchmarks"
    print ""
    print "Produced by `make bench` (`bench/run.sh`) on " date ": " machine "."
    print "Median of " runs " runs per workload and allocator, runs interleaved, scale " scale "."
    print "Each workload times itself (monotonic clock) and reports its own peak RSS"
    print "(`getrusage`) and current RSS (`/proc/self/statm`); see `bench/*.c`."
    if (loaded_runs)
        print "Each run is made twice: on the machine as it is, and under load (a busy process on each of its " cores " cores, `bench/busy.c`)."
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
    if (mc) best_of_the_others()
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
    fi_ = row("frag")
    lk = row("leak")
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
    if (lk) {
        s = "| leak: peak RSS / live bytes |"
        for (j = 1; j <= na; j++) s = s " " fmt_ratio(ratio(P[lk, j], L[lk, j])) " |"
        print s
    }
    scaling_row("mixed")
    scaling_row("sizes")
    scaling_row("server")
    print ""
    print "Targets for minic: every time ratio to glibc <= 1.0, and within 1.1x of the"
    print "best of the others; geometric mean at most 0.9x the best other's; peak RSS"
    print "within 1.2x of the smallest; frag RSS after free <= 64 MiB; scaling >= 1.6;"
    print "frag peak RSS / live <= 1.2; under load, the ratio to mimalloc within 1.5x"
    print "of the ratio on the machine as it is."
    print "frag's and leak's peak RSS / live count live bytes as the sizes asked for"
    print "(16-1024 bytes, 3 in 4 under 129), their pointer and size tables included."

    if (loaded_runs) under_load()

    if (svg != "") chart()
}

# minic's time and peak RSS against the best of the other allocators on
# each workload.
function best_of_the_others(    i, j, b, bp, s, r, rp, lr, cr, bg, bgj) {
    print "## minic against the best of the others"
    print ""
    print "| workload | fastest other, s | minic / fastest | smallest other peak RSS, MiB | minic / smallest |"
    print "|---|---:|---:|---:|---:|"
    for (i = 1; i <= nw; i++) {
        b = bp = 0
        for (j = 1; j <= na; j++) {
            if (!peer(j)) continue
            if (T[i, j] > 0 && (!b || T[i, j] < T[i, b])) b = j
            if (P[i, j] > 0 && (!bp || P[i, j] < P[i, bp])) bp = j
        }
        r = b ? ratio(T[i, mc], T[i, b]) : -1
        rp = bp ? ratio(P[i, mc], P[i, bp]) : -1
        if (r > 0) { lr += log(r); cr++ }
        s = "| " W[i] " | " (b ? sprintf("%.3f (%s)", T[i, b], A[b]) : "-") " | " fmt_ratio(r) " | "
        s = s (bp ? sprintf("%s (%s)", mib(P[i, bp]), A[bp]) : "-") " | " fmt_ratio(rp) " |"
        print s
    }
    bgj = 0
    for (j = 1; j <= na; j++)
        if (peer(j) && GG[j] > 0 && (!bgj || GG[j] < GG[bgj])) bgj = j
    print "| **geometric mean** | | " fmt_ratio(cr ? exp(lr / cr) : -1) " | | |"
    print ""
    if (bgj && GG[mc] > 0)
        printf "minic's geometric mean time ratio to glibc is %.2fx that of the best other (%s, %.2fx glibc).\n\n",
            GG[mc] / GG[bgj], A[bgj], GG[bgj]
}

# The runs under load: every allocator's median time (and its ratio to its
# own time on the machine as it is), and minic's ratio to mimalloc in both.
function under_load(    i, j, s, q, l, lq, ll, c) {
    print ""
    print "## Under load: a busy process on each of the " cores " cores"
    print ""
    print "Median seconds (ratio to the same allocator's time without the load)."
    print ""
    header("workload", mc && mi ? "minic / mimalloc|under load|change" : "")
    for (i = 1; i <= nw; i++) {
        s = "| " W[i] " |"
        for (j = 1; j <= na; j++)
            s = s sprintf(" %s (%s) |", TL[i, j] < 0 ? "-" : sprintf("%.3f", TL[i, j]), fmt_ratio(ratio(TL[i, j], T[i, j])))
        if (mc && mi) {
            q = ratio(T[i, mc], T[i, mi])
            l = ratio(TL[i, mc], TL[i, mi])
            s = s " " fmt_ratio(q) " | " fmt_ratio(l) " | " fmt_ratio(ratio(l, q)) " |"
            if (q > 0 && l > 0) { lq += log(q); ll += log(l); c++ }
        }
        print s
    }
    if (mc && mi && c) {
        s = "| **geometric mean** |"
        for (j = 1; j <= na; j++) s = s " |"
        print s " " fmt_ratio(exp(lq / c)) " | " fmt_ratio(exp(ll / c)) " | " fmt_ratio(exp((ll - lq) / c)) " |"
    }
    print ""
    print "change: minic's ratio to mimalloc under load / without it (target <= 1.5)."
}

# Panels of horizontal bars on a log scale centred on 1 (= glibc): time,
# peak RSS (plus frag's RSS after free), and time under load when there are
# runs under load. A bar going left is better.
function chart(    lx, colors, nc, rows, i, j, y, x1, xr, r, h, bar, gap, x0, pw, top, panel, lbl, ph, f, lo, hi, np, GL, lg, cg) {
    nc = split("#d62728 #7f7f7f #1f77b4 #2ca02c #ff7f0e #9467bd #8c564b", colors, " ")
    bar = 9; gap = 10; x0 = 190; pw = 560; lo = -3; hi = 3
    rows = nw + 1
    ph = 40 + rows * (na * bar + gap)
    np = loaded_runs ? 3 : 2
    h = 40 + np * (ph + 30)
    for (j = 1; j <= na; j++) {
        lg = cg = 0
        for (i = 1; i <= nw; i++)
            if ((r = ratio(TL[i, j], TL[i, g])) > 0) { lg += log(r); cg++ }
        GL[j] = cg ? exp(lg / cg) : -1
    }
    printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", x0 + pw + 40, h > svg
    printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n" > svg
    lx = 10
    for (j = 1; j <= na; j++) {
        lbl = A[j] == "minic" && minic_label != "" ? minic_label : A[j]
        printf "<rect x=\"%d\" y=\"8\" width=\"12\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"17\">%s</text>\n",
            lx, colors[(j - 1) % nc + 1], lx + 16, lbl > svg
        lx += 36 + 6.5 * length(lbl)
    }
    for (panel = 1; panel <= np; panel++) {
        top = 40 + (panel - 1) * (ph + 30)
        printf "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>\n", top + 8,
            panel == 1 ? "Time relative to glibc (log scale; left is faster)" \
            : panel == 2 ? "Peak RSS relative to glibc (log scale; left is smaller)" \
            : "Time under load relative to glibc under load (log scale; left is faster)" > svg
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
            else lbl = panel != 2 ? "geometric mean" : (fi_ ? "frag, after free" : "")
            if (lbl == "") continue
            printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", x0 - 8, y + na * bar / 2 + 4, lbl > svg
            for (j = 1; j <= na; j++) {
                if (panel == 1) r = i <= nw ? ratio(T[i, j], T[i, g]) : GG[j]
                else if (panel == 2) r = i <= nw ? ratio(P[i, j], P[i, g]) : ratio(R[fi_, j], R[fi_, g])
                else r = i <= nw ? ratio(TL[i, j], TL[i, g]) : GL[j]
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
