"""The offline judge on hard cases written after it was tuned, none of them in the calibration set:
comparisons said in other words, figures bound to headings and table columns, units converted,
figures worked out from fractions and counts."""

from __future__ import annotations

from tutor.grounding import check_sentence


def supported(sentence: str, *passages: str) -> bool:
    return check_sentence(sentence, list(passages))[0]


BOOSTING = "Gradient boosting trains faster than a neural network on tabular data and needs less data."
MEMORY = "SVC needs more memory than LinearSVC, and LinearSVC scales better to large datasets."
LASSO = "The lasso produces sparser models than ridge regression."
FORESTS = "Random forests are less prone to overfitting than a single decision tree."
ENDPOINTS = "Managed endpoints are more expensive than running your own server."
BENCHMARKS = "On tabular benchmarks, gradient boosting routinely outperforms neural networks."


def test_a_comparison_is_read_the_same_whichever_way_round_and_in_whichever_words():
    # the same comparison: sides swapped with the word turned into its opposite, an adverb, "-er"
    assert supported(
        "A neural network trains more slowly than gradient boosting on tabular data [1].", BOOSTING
    )
    assert supported(
        "On tabular data a neural network is slower to train than gradient boosting [1].", BOOSTING
    )
    assert supported("LinearSVC needs less memory than SVC [1].", MEMORY)
    assert supported("Ridge regression produces denser models than the lasso [1].", LASSO)
    assert supported("A single decision tree is more prone to overfitting than a random forest [1].", FORESTS)
    assert supported("Running your own server is cheaper than managed endpoints [1].", ENDPOINTS)
    assert supported(
        "On tabular benchmarks, neural networks usually trail gradient boosting [1].", BENCHMARKS
    )
    # ... and the other way round
    assert not supported(
        "Gradient boosting trains more slowly than a neural network on tabular data [1].", BOOSTING
    )
    assert not supported(
        "On tabular data, a neural network trains faster than gradient boosting [1].", BOOSTING
    )
    assert not supported("LinearSVC needs more memory than SVC [1].", MEMORY)
    assert not supported("SVC scales better to large datasets than LinearSVC [1].", MEMORY)
    assert not supported("Ridge regression produces sparser models than the lasso [1].", LASSO)
    assert not supported("The lasso produces denser models than ridge regression [1].", LASSO)
    assert not supported(
        "A single decision tree is less prone to overfitting than random forests [1].", FORESTS
    )
    assert not supported("Managed endpoints are cheaper than running your own server [1].", ENDPOINTS)
    assert not supported(
        "On tabular benchmarks, neural networks routinely outperform gradient boosting [1].", BENCHMARKS
    )
    assert not supported(
        "On tabular benchmarks, gradient boosting usually trails neural networks [1].", BENCHMARKS
    )


COURSES = (
    "Production ML Systems (Coursera)\n\n"
    "One of the few courses on serving, monitoring and distribution shift. Rating: 9.7.\n\n"
    "ML Regression (Coursera)\n\n"
    "Goes deeper on ridge, lasso and feature selection. Rating: 9.6."
)
ROLES = (
    "| | ML engineer | AI engineer |\n|---|---|---|\n"
    "| Usual tools | PyTorch, MLflow, Spark | LangChain, vector databases |\n"
    "| Maths | more | less |\n\n(AI Learning Hub's comparison.)"
)


def test_what_a_section_says_belongs_to_its_heading():
    assert supported("Production ML Systems covers serving, monitoring and distribution shift [1].", COURSES)
    assert supported("ML Regression goes deeper on ridge, lasso and feature selection [1].", COURSES)
    assert supported("ML Regression is rated 9.6 [1].", COURSES)
    assert not supported(
        "ML Regression is the course on serving, monitoring and distribution shift [1].", COURSES
    )
    assert not supported(
        "Production ML Systems goes deeper on ridge, lasso and feature selection [1].", COURSES
    )
    assert not supported("ML Regression goes deeper on ridge and lasso and is rated 9.7 [1].", COURSES)


def test_a_cell_belongs_to_its_column_even_when_a_longer_name_shares_a_word_with_the_other():
    said_by = "In AI Learning Hub's comparison, LangChain and vector databases are the usual tools of"
    assert supported(f"{said_by} an AI engineer [1].", ROLES)
    assert not supported(f"{said_by} an ML engineer [1].", ROLES)
    assert supported("An ML engineer usually works with PyTorch, MLflow and Spark [1].", ROLES)
    assert not supported("An AI engineer usually works with PyTorch, MLflow and Spark [1].", ROLES)
    assert supported("An ML engineer needs more maths than an AI engineer [1].", ROLES)
    assert not supported("An AI engineer needs more maths than an ML engineer [1].", ROLES)


def test_figures_in_other_units_fractions_and_counts():
    videos = "The two video series cover what you need in about 8 hours in total."
    assert supported("The two video series take roughly 480 minutes altogether [1].", videos)
    assert not supported("The two video series take roughly 8 days altogether [1].", videos)
    split = "Edirae suggests splitting effort about 60/40 between building models and deploying them."
    assert supported(
        "Edirae suggests putting roughly three-fifths of the effort into building models and "
        "two-fifths into deploying them [1].",
        split,
    )
    assert supported("Edirae suggests putting about 60% of the effort into building models [1].", split)
    assert not supported(
        "Edirae suggests putting roughly two-thirds of the effort into building models [1].", split
    )
    budget = "About 25% of the budget goes to compute."
    assert supported("About a quarter of the budget goes to compute [1].", budget)
    assert not supported("About a third of the budget goes to compute [1].", budget)
    tools = "| Tool | Kind |\n|---|---|\n| MLflow | tracking |\n| DVC | versions |\n| Evidently | drift |\n"
    assert supported("The three tools are MLflow, DVC and Evidently [1].", tools)
    assert not supported("The four tools are MLflow, DVC and Evidently [1].", tools)


def test_a_negation_may_cover_the_same_words_in_another_order():
    passage = "SVMs do not directly provide probability estimates; these come from a costly cross-validation."
    assert supported("SVMs don't give probability estimates directly [1].", passage)
    assert not supported("SVMs provide probability estimates directly [1].", passage)


def test_a_figure_counts_what_the_passage_says_it_counts():
    passage = "Early stopping is switched on by default when the number of samples is larger than 10,000."
    assert supported("Early stopping is on by default once there are more than 10,000 samples [1].", passage)
    assert not supported(
        "Early stopping is on by default once there are more than 10,000 features [1].", passage
    )
    assert not supported(
        "Early stopping is switched on by default when the number of features is larger than 10,000 [1].",
        passage,
    )
