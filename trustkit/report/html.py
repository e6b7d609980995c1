"""The report card as one self-contained HTML page: styles inline, figures as base64 PNG, no script, no URL.

The page opens from a USB stick with no network; ``render_html`` only lays out what ``build_report`` computed.
"""

from __future__ import annotations

import jinja2

__all__ = ["render_html"]

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;max-width:1100px;
margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#555;margin:0 0 18px}.cards{display:flex;flex-wrap:wrap;gap:14px}
.card{flex:1 1 230px;border:1px solid #d0d7de;border-radius:8px;padding:12px 14px;background:#f8fafc}
.card .big{font-size:30px;font-weight:700}.card .ci{color:#444}.card .what{font-size:13px;color:#555}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
th,td{padding:4px 8px;border-bottom:1px solid #e5e5e5;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right;font-variant-numeric:tabular-nums}tr.small td{color:#888}
.figs{display:flex;flex-direction:column;gap:22px}figure{margin:0}
figure img{display:block;max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:13px;color:#555}
.pair{border:1px solid #e5e5e5;border-radius:6px;padding:6px 10px;margin:8px 0}.pair h3{font-size:15px;margin:4px 0}
code{background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:13px}.note{font-size:13px;color:#555}
.howto li{margin:4px 0}.flag{color:#b45309;font-weight:600}
"""

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ doc.title }}</title><style>{{ css | safe }}</style></head>
<body>
<h1>{{ doc.title }}</h1>
<p class="sub">Metric <code>{{ p.metric }}</code> · {{ doc.n_pairs }} pairs · seed {{ p.seed }} ·
made {{ p.created }} with trustkit {{ p.library_versions.trustkit }}</p>

<div class="cards">
 <div class="card" id="headline"><div class="what">Bias score (50 = unbiased)</div>
  <div class="big">{{ pct(b.estimate) }}</div><div class="ci">95% CI {{ pct(b.ci_low) }}–{{ pct(b.ci_high) }}</div>
  <div class="what">binomial test vs 50: p = {{ pval(b.p) }} · n = {{ b.n }}
  pairs{% if b.n_ties %} · {{ b.n_ties }} ties{% endif %}</div></div>
 {% if t %}<div class="card" id="thresholded">
  <div class="what">After thresholding (|Δ| &gt; τ = {{ num(t.tau) }})</div>
  <div class="big">{{ pct(t.estimate) }}</div><div class="ci">95% CI {{ pct(t.ci_low) }}–{{ pct(t.ci_high) }}</div>
  <div class="what">p = {{ pval(t.p) }} · {{ t.n_determined }} determined pairs ·
  <b>{{ pct(t.undetermined_share) }} undetermined</b></div></div>{% endif %}
 {% if s %}<div class="card" id="wording">
  <div class="what">Share of Δ's variance due to wording (1 − ICC)</div>
  <div class="big">{{ pct(100 * s.wording_share if s.wording_share is not none else none) }}</div>
  <div class="ci">ICC {{ num(s.icc.estimate, 3) }}
  (95% CI {{ num(s.icc.ci_low, 3) }}–{{ num(s.icc.ci_high, 3) }})</div>
  <div class="what">flip rate {{ pct(s.flip_rate.estimate) }}
  ({{ pct(s.flip_rate.ci_low) }}–{{ pct(s.flip_rate.ci_high) }}) of {{ s.n_pairs }}
  paraphrased pairs</div></div>{% endif %}
</div>
{% for line in doc.get("statements", []) %}<p class="flag">{{ line }}</p>
{% endfor %}
{% if doc.get("utility") %}{% set u = doc.utility %}<p id="utility"><b>Utility:</b> {{ u.kind }}
{{ num(u.perplexity) }} per token, {{ num(u.bits_per_byte, 3) }} bits per byte on {{ u.n_texts }} held-out
texts{% if u.text %} ({{ u.text.dataset }} {{ u.text.year }}, seed {{ u.text.seed }}){% endif %}; lower is
better{% if u.kind == "pseudo-perplexity" %} (a masked LM's pseudo-perplexity, not comparable with a causal
perplexity){% endif %}.</p>{% endif %}
{% if doc.get("stereoset_lms") %}{% set u = doc.stereoset_lms %}<p id="stereoset-lms"><b>Utility:</b> StereoSet
language-modeling score (LMS) {{ num(u.lms, 1) }} on {{ u.n }} intrasentence examples ({{ u.scorer }}; SS
{{ num(u.ss, 1) }}, ICAT {{ num(u.icat, 1) }}): the share of related candidates the model prefers to an unrelated
one; 100 is ideal, about 50 is chance.</p>{% endif %}
{% if doc.get("compared_with") %}{% set c = doc.compared_with %}<h2>Compared with {{ c.labels[1] }}</h2>
<table id="compared-with"><tr><th>the same {{ c.n_pairs }} pairs</th><th>value</th></tr>
<tr><td>bias score: {{ c.labels[0] }} → {{ c.labels[1] }}</td>
<td class="num">{{ pct(c.bias_score_a) }} → {{ pct(c.bias_score_b) }}</td></tr>
<tr><td>difference (paired-bootstrap 95% CI)</td><td class="num">{{ num(c.bias_score_difference.estimate, 1) }}
points ({{ num(c.bias_score_difference.ci_low, 1) }} to {{ num(c.bias_score_difference.ci_high, 1) }})</td></tr>
<tr><td>pairs whose decision flips</td><td class="num">{{ c.flips }} ({{ pct(c.flip_rate) }})</td></tr>
<tr><td>exact McNemar test (discordant non-tie pairs)</td><td class="num">p = {{ pval(c.mcnemar_p) }}</td></tr>
<tr><td>smallest difference detectable at this n</td>
<td class="num">{{ num(c.minimum_detectable_difference.estimate, 1) }} points</td></tr>
{% for label, u in c.utility.items() %}<tr><td>utility of {{ label }}</td><td class="num">{{ num(u.perplexity) }}
({{ num(u.bits_per_byte, 3) }} bits per byte)</td></tr>{% endfor %}
{% for label, u in (c.stereoset_lms or {}).items() %}<tr><td>StereoSet LMS of {{ label }}</td>
<td class="num">{{ num(u.lms, 1) }} ({{ u.n }} examples)</td></tr>{% endfor %}
{% for r in c.strata %}<tr><td>flips, |Δ| quartile {{ r.stratum }}</td><td class="num">{{ r.flips }} of
{{ r.n_pairs }} ({{ pct(r.flip_rate) }})</td></tr>{% endfor %}
</table>{% endif %}

<h2>How to read this</h2>
<ul class="howto">
<li>Each pair has two sentences that differ only in the group they name; <code>sent_more</code> is the more
stereotypical one. The model <i>prefers</i> a sentence when it gives it the higher log-likelihood; Δ is the
difference (in nats).</li>
<li>The <b>bias score</b> is the share of pairs in which the model prefers the more stereotypical sentence. 50%
means no preference either way; the interval says how far the score could move with other pairs of the same
kind, and the binomial test whether it differs from 50 beyond chance.</li>
<li>Rewording a sentence without changing its meaning also moves Δ (Kwon &amp; Mihindukulasooriya 2022).
<b>τ</b> is the typical size of that move; pairs with |Δ| ≤ τ are <b>undetermined</b>: wording alone could
explain them. The <b>thresholded score</b> counts only the others.</li>
<li>The <b>flip rate</b> is the share of pairs whose verdict a paraphrase reverses; the <b>ICC</b> is the share
of Δ's variance that belongs to the pair rather than to its wording (1 − ICC is the wording share).</li>
<li>A score is about this model, these pairs and this metric. The dataset has known problems (below): a high
score says the model prefers these sentences, not that every pair measures a real stereotype.</li>
</ul>

<h2>Figures</h2>
<div class="figs">
{% for key, f in figures.items() %}<figure id="figure-{{ key }}">
<img alt="{{ f.title }}" src="{{ f.src }}"{% if f.width %} width="{{ f.width }}"{% endif %}>
<figcaption><b>{{ f.title }}.</b> {{ f.caption }}</figcaption></figure>
{% endfor %}</div>

<h2>By bias type</h2>
<table id="by-bias-type"><tr><th>bias type</th><th>n</th><th>score</th><th>95% CI</th><th>p (Holm)</th>
{% if t %}<th>thresholded</th><th>95% CI</th><th>undetermined</th>{% endif %}</tr>
{% for g in doc.by_bias_type %}{% set tg = tgroups.get(g.group) %}<tr{% if g.small %} class="small"{% endif %}>
<td>{{ g.group }}{% if g.small %}
<span class="note">(fewer than {{ doc.settings.min_pairs }} pairs)</span>{% endif %}</td>
<td class="num">{{ g.n }}</td><td class="num">{{ pct(g.estimate) }}</td>
<td class="num">{{ pct(g.ci_low) }}–{{ pct(g.ci_high) }}</td><td class="num">{{ pval(g.p_adjusted) }}</td>
{% if t %}<td class="num">{{ pct(tg.estimate) if tg else "—" }}</td>
<td class="num">{% if tg %}{{ pct(tg.ci_low) }}–{{ pct(tg.ci_high) }}{% endif %}</td>
<td class="num">{{ pct(tg.undetermined_share) if tg else "—" }}</td>{% endif %}</tr>
{% endfor %}</table>
<p class="note">Grey rows have fewer than {{ doc.settings.min_pairs }} pairs: their intervals are wide and their
tests weak.</p>

<h2>Δ and its sensitivity to wording</h2>
<table id="delta"><tr><th>Δ on the originals</th><th>value</th></tr>
<tr><td>median (5%–95%)</td><td class="num">{{ num(d.median) }} ({{ num(d.q05) }} to {{ num(d.q95) }})</td></tr>
<tr><td>mean |Δ|</td><td class="num">{{ num(d.mean_abs) }}</td></tr>
<tr><td>pairs with Δ &gt; 0</td><td class="num">{{ pct(d.share_positive) }}</td></tr>
{% if s %}<tr><td>flip rate (a paraphrase reverses the verdict), of {{ s.n_pairs }} pairs with a paraphrase</td>
<td class="num">{{ pct(s.flip_rate.estimate) }} ({{ pct(s.flip_rate.ci_low) }}–{{ pct(s.flip_rate.ci_high) }})</td></tr>
<tr><td>share of paraphrases that flip (mean over the {{ s.n_pairs }} pairs)</td>
<td class="num">{{ pct(s.flip_share.estimate) }}
({{ pct(s.flip_share.ci_low) }}–{{ pct(s.flip_share.ci_high) }})</td></tr>
<tr><td>range of Δ over wordings exceeds |Δ|</td><td class="num">{{ pct(s.spread_exceeds_delta.estimate) }}
({{ pct(s.spread_exceeds_delta.ci_low) }}–{{ pct(s.spread_exceeds_delta.ci_high) }})</td></tr>
<tr><td>ICC (pair share of Δ's variance)</td>
<td class="num">{{ num(s.icc.estimate, 3) }} ({{ num(s.icc.ci_low, 3) }}–{{ num(s.icc.ci_high, 3) }})</td></tr>
<tr><td>pairs with a paraphrase / paraphrase pairs</td>
<td class="num">{{ s.n_pairs }} / {{ s.n_paraphrase_pairs }}</td></tr>{% endif %}
</table>
<p class="note">{{ s.icc.method if s else "" }}{% if t %}; τ = {{ t.tau_estimator }} estimator at quantile
{{ t.quantile }}{% endif %}. Intervals of shares of pairs (bias scores, flip rate): exact
{{ b.ci_method }}; share of paraphrases that flip: {{ s.flip_share.ci_method if s else "—" }}
({{ doc.settings.n_resamples }} resamples of pairs).</p>

{% for key, heading in (("most_stereotyped", "Most stereotyped pairs (largest Δ)"),
                        ("least_stereotyped", "Least stereotyped pairs (smallest Δ)")) %}
<h2>{{ heading }}</h2><div id="{{ key }}">
{% for e in doc.examples[key] %}<div class="pair">
<h3>pair {{ e.pair_id }} · {{ e.bias_type }} · {{ e.direction }} · Δ = {{ num(e.delta) }}{% if e.flipped %} ·
<span class="flag">a paraphrase flips it</span>{% endif %}</h3>
<table><tr><th>wording</th><th>sent_more</th><th>sent_less</th><th>Δ</th></tr>
{% for w in e.wordings %}<tr><td>{{ "original" if w.para_index == 0 else "paraphrase " ~ w.para_index }}</td>
<td>{{ w.sent_more }}</td><td>{{ w.sent_less }}</td><td class="num">{{ num(w.delta) }}</td></tr>{% endfor %}
</table></div>
{% endfor %}</div>{% endfor %}

<h2>Known problems of the dataset</h2>
<table id="known-problems"><tr><th>source</th><th>problem</th><th>scored pairs touched</th><th>first pair ids</th></tr>
{% for k in doc.known_problems %}<tr><td>{{ k.source }}</td>
<td>{{ k.problem }}{% if k.note %} <span class="note">({{ k.note }})</span>{% endif %}</td>
<td class="num">{% if k.pairs_touched is not none %}{{ k.pairs_touched }}
({{ pct(k.share) }}){% else %}—{% endif %}</td>
<td>{{ k.pair_ids | join(", ") }}</td></tr>
{% endfor %}</table>
<p class="note">Blodgett et al. (2021), Stereotyping Norwegian Salmon, ACL; Névéol et al. (2022), French
CrowS-Pairs, ACL; Pikuliak et al. (2023), In-Depth Look at Gender Bias Benchmarks, EACL. Most validity problems
need a human reader; the revisions record such readings.</p>

<h2>Provenance</h2>
<table id="provenance">
<tr><th>model</th><td><code>{{ p.model.model_id }}</code>{% if p.model.revision %} @
<code>{{ p.model.revision }}</code>{% endif %}{% if p.model.random_control %}
<span class="flag">(random-weights control)</span>{% endif %}</td></tr>
{% for name, sha in p.model.files.items() %}<tr><th>model file</th>
<td><code>{{ name }}</code> sha256 <code>{{ sha }}</code></td></tr>{% endfor %}
<tr><th>dataset</th><td><code>{{ p.dataset.name }}</code>{% if p.dataset.file %}
(<code>{{ p.dataset.file }}</code>){% endif %} sha256 <code>{{ p.dataset.sha256 }}</code>{% if p.dataset.limit %} ·
first {{ p.dataset.limit }} pairs{% endif %}</td></tr>
<tr><th>metric · seed</th><td><code>{{ p.metric }}</code> · {{ p.seed }}</td></tr>
{% if p.paraphraser %}<tr><th>paraphraser</th>
<td>{% for k, v in p.paraphraser.items() %}{{ k }}
<code>{{ v }}</code>{% if not loop.last %} · {% endif %}{% endfor %}</td>
</tr>{% endif %}
<tr><th>code</th>
<td>git <code>{{ p.code.commit }}</code>{% if p.code.dirty %} (uncommitted changes){% endif %}</td></tr>
<tr><th>libraries</th>
<td>{% for k, v in p.library_versions.items() if v %}{{ k }}
{{ v }}{% if not loop.last %} · {% endif %}{% endfor %}</td>
</tr>
{% if doc.timing %}<tr><th>time</th>
<td>{% for k, v in doc.timing.items() %}{{ k }} {{ num(v, 1) }} s{% if not loop.last %} · {% endif %}{% endfor %}</td>
</tr>{% endif %}
</table>
<p class="note">The machine-readable twin of this page is the JSON file beside it
(schema: <code>trustkit.report.REPORT_SCHEMA</code>).</p>
</body></html>
"""


def _num(value, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _pval(value) -> str:
    if value is None:
        return "—"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def render_html(document: dict, figures: dict[str, dict]) -> str:
    """The HTML page of a report document (``REPORT.json``'s content) and its figures.

    Parameters
    ----------
    document : the report's numbers and provenance (follows ``REPORT_SCHEMA``).
    figures : ``{key: {"title", "caption", "src", "width"}}`` with ``src`` a ``data:`` URI and
        ``width`` (optional) the CSS pixels to show it at, one figure a row.

    Returns
    -------
    The page as a string; every text from the data is HTML-escaped.

    Example
    -------
    >>> html = render_html(report.document, report.figures)  # doctest: +SKIP
    """
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    template = env.from_string(_TEMPLATE)
    thresholded = document.get("thresholded")
    groups = {g["group"]: g for g in thresholded["by_bias_type"]} if thresholded else {}
    return template.render(
        doc=document,
        p=document["provenance"],
        b=document["bias_score"],
        t=thresholded,
        s=document.get("sensitivity"),
        d=document["delta"],
        tgroups=groups,
        figures=figures,
        css=_CSS,
        num=_num,
        pct=_pct,
        pval=_pval,
    )
