"""Time the counting verbs on one corpus (default: the reports); figures are noisy on shared cores."""
import sys, time, resource
from zhengyan import load_corpus
from zhengyan.core import paths
from zhengyan.analyses import frequency, formulas, trends, years, themes, cooccurrence
folder = sys.argv[1] if len(sys.argv) > 1 else str(paths.PRC_REPORTS)
c = load_corpus(folder)
docs = years.with_years(c.documents)
print(folder, len(c.documents), "docs", len(c.tokens), "tokens")
def t(name, f):
    t0 = time.perf_counter(); out = f(); print(f"{name:28s} {time.perf_counter()-t0:7.2f} s  rows {len(out) if hasattr(out,'__len__') else ''}")
    return out
t("term_counts by doc", lambda: frequency.term_counts(c.tokens, docs))
t("term_counts by year", lambda: frequency.term_counts(c.tokens, docs, by="year"))
t("tfidf", lambda: frequency.tfidf(c.tokens))
t("keyness_each by doc", lambda: frequency.keyness_each(c.tokens, docs, min_freq=2))
found = t("formulas.mentions", lambda: formulas.mentions(c))
t("formula_tokens", lambda: formulas.formula_tokens(c, found))
t("discover", lambda: formulas.discover(c))
t("discovered_by_document", lambda: formulas.discovered_by_document(c, found=found))
t("theme_mentions", lambda: themes.theme_mentions(c))
t("cooccurrence sentence", lambda: cooccurrence.cooccurrence(c, found))
t("trends terms", lambda: trends.trends(*trends.yearly_counts(c.tokens, docs)))
print("peak RSS MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
