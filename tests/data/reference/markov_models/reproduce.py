#!/usr/bin/env python3
"""Recomputes, independently of Vaglio, the exact values that tests/cli/reference_models_test.cc
checks to 1e-9 for the three published Markov cohort models in examples/:

  examples/hiv/hiv_heemod.model.yaml          heemod vignette "c_homogeneous" (life-table counting)
  examples/hiv/hiv_briggs.model.yaml          heemod tests/testthat/test_dmhee.R (Briggs et al. ex. 2.5)
  examples/sick_sicker/sick_sicker.model.yaml DARTH Sick-Sicker, release v0.3.0 (Simpson correction)

The two HIV models have rational inputs and rational discount factors, so they are computed
exactly with fractions; the Sick-Sicker model (exp in the rate conversion) with 50 significant
digits. Each function follows the publishing software's own algorithm (heemod's count
correction and discount(), DARTH's matrix and gen_wcc() weights), not Vaglio's formulas.
Needs Python 3 and mpmath.
"""
from fractions import Fraction as F

import mpmath as mp

mp.mp.dps = 50


def step(x, p):
    return [sum(x[i] * p[i][j] for i in range(len(x))) for j in range(len(x))]


def with_complement(p):
    """heemod's C: the diagonal is one minus the rest of the row."""
    for i in range(len(p) - 1):
        p[i][i] = 1 - sum(p[i][j] for j in range(len(p)) if j != i)
    return p


def heemod_vignette():
    """Cohort totals for init = 1000 in A, method = "life-table", 50 cycles,
    discount(x, 0.06) with first = FALSE: cycle t is weighted by 1/1.06^(t-1)."""
    rr = F(509, 1000)
    off = [[0, F(202, 1000), F(67, 1000), F(10, 1000)], [0, 0, F(407, 1000), F(12, 1000)],
           [0, 0, 0, F(250, 1000)], [0, 0, 0, 1]]
    mono = [[F(721, 1000), off[0][1], off[0][2], off[0][3]], [0, F(581, 1000), off[1][2], off[1][3]],
            [0, 0, F(750, 1000), off[2][3]], [0, 0, 0, 1]]
    comb = with_complement([[v * rr if i != j and i < 3 else v for j, v in enumerate(row)]
                            for i, row in enumerate(off)])
    out = {}
    for name, p, drug in [("mono", mono, 2278), ("comb", comb, 2278 + 2086)]:
        n = [[F(1000), F(0), F(0), F(0)]]
        for _ in range(50):
            n.append(step(n[-1], p))
        health, drugs = [2756, 3052, 9007, 0], [drug, drug, drug, 0]
        ch = cd = ly = F(0)
        for t in range(1, 51):
            c = [(a + b) / 2 for a, b in zip(n[t - 1], n[t])]  # life-table: (N_{t-1} + N_t) / 2
            d = F(100, 106) ** (t - 1)
            ch += sum(x * y for x, y in zip(c, health)) * d
            cd += sum(x * y for x, y in zip(c, drugs)) * d
            ly += c[0] + c[1] + c[2]
        out[name] = dict(cost_health=ch, cost_drugs=cd, cost_total=ch + cd, life_year=ly)
    return out


def briggs_hiv():
    """init = c(1, 0, 0, 0), method = "beginning" (values the counts N_t after cycle t's
    transitions), 20 cycles, discount(x, 0.06, first = TRUE): 1/1.06^t; rr and the cost of
    lamivudine depend on markov_cycle = t (t <= 2)."""
    mono = [[F(1251, 1734), F(350, 1734), F(116, 1734), F(17, 1734)],
            [0, F(731, 1258), F(512, 1258), F(15, 1258)], [0, 0, F(1312, 1749), F(437, 1749)],
            [0, 0, 0, 1]]
    out = {}
    for name in ["mono", "comb"]:
        n = [F(1), F(0), F(0), F(0)]
        cost = ly = F(0)
        for t in range(1, 21):
            rr = F(509, 1000) if t <= 2 else F(1)
            lami = F(41730, 20) if t <= 2 else F(0)
            if name == "mono":
                p, drug = mono, F(2278)
            else:
                p = with_complement([[v * rr if i != j and i < 3 else v for j, v in enumerate(row)]
                                     for i, row in enumerate(mono)])
                drug = 2278 + lami
            n = step(n, p)
            cost += sum(x * y for x, y in zip(n, [2756 + drug, 3052 + drug, 9007 + drug, 0])) \
                * F(100, 106) ** t
            ly += n[0] + n[1] + n[2]
        out[name] = dict(cost=cost, ly=ly)
    return out


def simpson_weights(n):
    """DARTH gen_wcc("Simpson1/3") from release v0.3.0 / darthtools v0.4.1: composite 1/3
    rule on t = 0..n (n even), or on 0..n-3 plus the 3/8 rule on n-3..n (n odd)."""
    w = [F(0)] * (n + 1)
    m = n if n % 2 == 0 else n - 3
    for a in range(0, m, 2):
        w[a] += F(1, 3)
        w[a + 1] += F(4, 3)
        w[a + 2] += F(1, 3)
    if n % 2 == 1:
        for k, c in zip(range(n - 3, n + 1), (F(3, 8), F(9, 8), F(9, 8), F(3, 8))):
            w[k] += c
    return w


def sick_sicker():
    """analysis/cSTM_time_indep.R: 75 annual cycles, rewards at t = 0..75 discounted by
    1/1.03^t and weighted by simpson_weights(75)."""
    n = 75

    def p(r):
        return 1 - mp.exp(-r)  # rate_to_prob(r, cycle_length = 1)

    r_hd = mp.mpf("0.002")
    p_hs1, p_s1h, p_s1s2, p_hd = p(mp.mpf("0.15")), p(mp.mpf("0.5")), p(mp.mpf("0.105")), p(r_hd)
    p_s1d, p_s2d = p(r_hd * 3), p(r_hd * 10)
    p_s1s2_b = p(mp.mpf("0.105") * mp.mpf("0.6"))

    def matrix(q):
        return [[(1 - p_hd) * (1 - p_hs1), (1 - p_hd) * p_hs1, 0, p_hd],
                [(1 - p_s1d) * p_s1h, (1 - p_s1d) * (1 - (p_s1h + q)), (1 - p_s1d) * q, p_s1d],
                [0, 0, 1 - p_s2d, p_s2d], [0, 0, 0, 1]]

    w = simpson_weights(n)
    assert sum(w) == n
    u, u_a = ["1", "0.75", "0.5", "0"], ["1", "0.95", "0.5", "0"]
    strategies = {"soc": (matrix(p_s1s2), u, [2000, 4000, 15000, 0]),
                  "A": (matrix(p_s1s2), u_a, [2000, 16000, 27000, 0]),
                  "B": (matrix(p_s1s2_b), u, [2000, 17000, 28000, 0]),
                  "AB": (matrix(p_s1s2_b), u_a, [2000, 29000, 40000, 0])}
    out = {}
    for name, (m, util, cost_rates) in strategies.items():
        util = [mp.mpf(v) for v in util]
        x = [mp.mpf(1), 0, 0, 0]
        cost = qaly = ly = mp.mpf(0)
        for t in range(n + 1):
            if t > 0:
                x = step(x, m)
            wt = mp.mpf(w[t].numerator) / w[t].denominator
            d = 1 / mp.mpf("1.03") ** t
            cost += sum(a * b for a, b in zip(x, cost_rates)) * d * wt
            qaly += sum(a * b for a, b in zip(x, util)) * d * wt
            ly += (x[0] + x[1] + x[2]) * wt
        out[name] = dict(cost=cost, qaly=qaly, ly=ly)
    return out


def show(x, digits=20):
    if isinstance(x, F):
        x = mp.mpf(x.numerator) / x.denominator
    return mp.nstr(x, digits)


if __name__ == "__main__":
    v = heemod_vignette()
    print("heemod vignette, per member of the cohort (heemod's totals / 1000):")
    for s in v:
        print(" ", s, {k: show(x / 1000) for k, x in v[s].items()})
    dc = (v["comb"]["cost_total"] - v["mono"]["cost_total"]) / 1000
    de = (v["comb"]["life_year"] - v["mono"]["life_year"]) / 1000
    print("  comb - mono: delta cost", show(dc), "delta effect", show(de), "ICER", show(dc / de))
    for wtp in [1000, 5000, 6000, 10000]:
        print(f"  NMB(comb) - NMB(mono) at {wtp}:", show(wtp * de - dc))

    b = briggs_hiv()
    print("Briggs HIV (heemod test_dmhee.R):")
    for s in b:
        print(" ", s, {k: show(x) for k, x in b[s].items()})
    dc, de = b["comb"]["cost"] - b["mono"]["cost"], b["comb"]["ly"] - b["mono"]["ly"]
    print("  comb - mono: delta cost", show(dc), "delta effect", show(de), "ICER", show(dc / de))

    ss = sick_sicker()
    print("Sick-Sicker (DARTH v0.3.0):")
    for s in ss:
        print(" ", s, {k: show(x) for k, x in ss[s].items()})
    for a, c in [("B", "soc"), ("AB", "B")]:
        dc, de = ss[a]["cost"] - ss[c]["cost"], ss[a]["qaly"] - ss[c]["qaly"]
        print(f"  {a} - {c}: delta cost", show(dc), "delta effect", show(de), "ICER", show(dc / de))
