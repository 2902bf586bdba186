"""The offline judge on sentences and passages written for these tests: what binds a figure, a name
or a comparison to the passage sentence that carries the claim, and what a paraphrase may change."""

from __future__ import annotations

import pytest

from tutor.entailment import Evidence, _novelty, passage_units, tokenize
from tutor.grounding import check_sentence, ground, quoted

GPU = (
    "Kaggle Notebooks give about 30 free GPU hours a week. Google Colab's free GPU time is variable "
    "and not guaranteed."
)
PHASES = "Phase 4 runs from week 21 to week 26. Phase 5 is the capstone."
LAYERS = "The block repeats many times: 24 layers for GPT-2 and 96 for GPT-4."
SCALERS = (
    "MaxAbsScaler was designed for scaling sparse data. RobustScaler cannot be fitted to sparse inputs, "
    "but its transform method accepts them."
)
TABLE = "| | MLflow | Neptune |\n|---|---|---|\n| Price | free | paid |\n| Hosting | self-hosted | cloud |\n"


def supported(sentence: str, *passages: str) -> bool:
    return check_sentence(sentence, list(passages))[0]


def reason(sentence: str, *passages: str) -> str:
    return check_sentence(sentence, list(passages))[1]


def test_a_figure_belongs_to_the_name_its_passage_sentence_gives_it_to():
    assert supported("Kaggle Notebooks offer about 30 GPU hours a week [1].", GPU)
    assert not supported("Google Colab offers 30 GPU hours per week [1].", GPU)
    assert "Kaggle Notebooks give about 30" in reason("Google Colab offers 30 GPU hours per week [1].", GPU)
    assert supported("GPT-4 has 96 layers [1].", LAYERS)
    assert not supported("GPT-2 has 96 layers [1].", LAYERS)
    # ... inside brackets too (set g: "- Repeat N times (24 layers in GPT-2, 96 in GPT-4)")
    bracketed = "- Repeat the block N times (24 layers in GPT-2, 96 in GPT-4)"
    assert supported("GPT-4 repeats the block 96 times [1].", bracketed)
    assert not supported("GPT-2 has 96 layers [1].", bracketed)


def test_worked_out_figures_pass_when_the_sentence_shows_the_work():
    assert supported("Phase 4 runs from week 21 to week 26, so it lasts six weeks [1].", PHASES)
    assert supported("GPT-4's 96 layers are four times the 24 of GPT-2 [1].", LAYERS)
    assert not supported("Phase 4 covers weeks 21 to 26, so it lasts eight weeks [1].", PHASES)
    assert not supported("Phase 4 lasts 26 months [1].", PHASES)  # a figure with another unit


def test_negation_and_antonyms_are_compared_with_the_carrying_sentence():
    assert not supported("RobustScaler can be fitted to sparse inputs [1].", SCALERS)
    assert supported("RobustScaler can't be fitted to sparse input [1].", SCALERS)
    passage = "Note that using a scorer is slower than using the loss."
    assert not supported("Using a scorer is faster than using the loss [1].", passage)
    assert supported("Using the loss is faster than using a scorer [1].", passage)


def test_two_subjects_trading_what_the_passage_says_of_each_are_caught():
    passage = (
        "In short: testers write the acceptance checks and sign off releases; developers fix the "
        "failing builds and review each other's code."
    )
    assert supported(
        "Testers write the acceptance checks, while developers fix the failing builds [1].", passage
    )
    assert not supported(
        "Developers write the acceptance checks and sign off releases, "
        "while testers fix the failing builds [1].",
        passage,
    )
    items = "Storage options:\n\n- `Disk`, slow but cheap\n- `Memory`, fast but costly (small caches)"
    assert supported("Memory is fast but costly, whereas Disk is slow but cheap [1].", items)
    assert not supported(
        "Among the options, Disk is fast but costly, whereas Memory is slow but cheap [1].", items
    )
    # one passage sentence holding both statements, the first in two clauses ("..., but ...")
    engines = (
        "QuickDB offers a faster engine than SlowDB but only stores integer keys, while LargeDB "
        "keeps a slightly different schema than SlowDB and QuickDB."
    )
    assert supported(
        "QuickDB is faster but only stores integer keys, while LargeDB keeps a different schema [1].", engines
    )
    assert not supported(
        "LargeDB is the faster engine that only stores integer keys, while QuickDB keeps a slightly "
        "different schema from SlowDB [1].",
        engines,
    )


def test_a_claim_opening_with_one_name_is_not_what_the_passages_say_of_another():
    passage = (
        "`QuickSort` and `MergeSort` both sort in place on arrays. Note that `MergeSort` needs "
        "extra memory for its buffer, as it copies each half before merging."
    )
    assert supported("MergeSort needs extra memory for its buffer, as it copies each half [1].", passage)
    assert not supported("QuickSort needs extra memory for its buffer, as it copies each half [1].", passage)


def test_a_name_put_in_place_of_the_one_the_carrying_sentence_names_is_caught():
    solvers = (
        "Empirically, Lbfgs converges faster on small datasets. For large datasets, however, Adam is "
        "robust: it usually converges quickly and gives good performance."
    )
    assert supported("On large datasets Adam is robust, and it usually converges quickly [1].", solvers)
    claim = "For large datasets, Lbfgs is robust and usually converges quickly with good performance [1]."
    assert not supported(claim, solvers)
    assert "adam" in reason(claim, solvers)
    # one name of a coordinated pair swapped in ("BERT or ViT" where the sentence has EfficientNet or ViT)
    data = (
        "Image data: start with a pretrained EfficientNet or ViT via torchvision. Text data: fine-tune "
        "BERT for classification."
    )
    assert supported("For image data, start from a pretrained EfficientNet or ViT via torchvision [1].", data)
    assert not supported("For image data, start from a pretrained BERT or ViT via torchvision [1].", data)
    # a clause names its own sentence's name; the claim's other clause matches the other sentence
    assert supported(
        "Lbfgs converges faster on small datasets, while Adam is robust on large ones [1].", solvers
    )


def test_negation_covers_its_whole_scope_but_stops_at_a_parenthesis():
    tools = "You can write scripts and read files. You do not need to be an expert programmer."
    assert not supported(
        "The course expects you to be an expert programmer who can write scripts [1].", tools
    )
    assert supported("You don't need to be an expert programmer [1].", tools)
    aside = "A good default is depth=None (growing every branch instead of a fixed depth) for small datasets."
    assert supported("For small datasets, depth=None is a good default [1].", aside)
    # "X is not required" denies its subject
    maths = "You should know what a gradient tells you; working out integrals by hand is not required."
    assert not supported("The course expects you to work out integrals by hand [1].", maths)
    assert supported("Working out integrals by hand isn't required [1].", maths)
    hype = "Ignore claims of learning ML in 30 days; the dummy model ignores the input data."
    assert not supported("Claims of learning ML in 30 days are worth trusting [1].", hype)
    assert supported("The dummy model ignores the input data [1].", hype)


def test_a_figure_before_a_verb_counts_what_came_before_it():
    core = "Master linear regression, random forests and boosting; those three handle about 80% of the work."
    assert supported("Those three algorithms do about 80% of the work [1].", core)
    assert not supported("Those three algorithms do about 60% of the work [1].", core)


def test_a_list_item_run_into_the_sentence_before_it_is_its_own_statement():
    flat = (
        "AI Learning Hub: Karpathy's series explains it best. - Edirae: walk through the original "
        "paper and use the Hugging Face course."
    )
    assert supported(
        "Edirae says to walk through the original paper and use the Hugging Face course [1].", flat
    )
    claim = "AI Learning Hub says to walk through the original paper and use the Hugging Face course [1]."
    assert not supported(claim, flat)


def test_a_name_denied_in_the_passage_is_not_the_one_that_does_it():
    weights = "SVC (but not NuSVC) implements the class_weight parameter in the fit method."
    assert supported("SVC, unlike NuSVC, implements class_weight in its fit method [1].", weights)
    assert not supported("NuSVC (but not SVC) implements the class_weight parameter in fit [1].", weights)
    # "independent of X" sets X aside without denying it: the same words in the claim are supported
    note = "Note that min_samples_split counts samples directly, independent of `sample_weight`."
    assert supported("min_samples_split counts samples directly, independent of sample_weight [1].", note)


def test_general_antonyms_flip_a_claim():
    kmeans = "Given enough time, k-means always converges, but possibly to a local minimum."
    assert not supported("Given enough time, k-means always converges to the global minimum [1].", kmeans)
    bayes = "Naive Bayes is a decent classifier, but it is known to be a bad estimator."
    assert not supported("Naive Bayes is a decent classifier and a good estimator [1].", bayes)


def test_an_opposite_the_claim_says_as_often_as_the_passage_is_the_claims_own():
    # set g: "the same SELECT twice … different results" was flagged "says 'different', not 'same'"
    reads = "Two SELECT commands run one after the other in a transaction can see different rows."
    assert supported("Running the same SELECT twice in one transaction can return different rows [1].", reads)
    # ... but the passage saying it twice, of two things, still catches the one flipped
    starts = "Different random initial weights can lead to different validation accuracy."
    assert not supported("Different random initial weights lead to the same validation accuracy [1].", starts)


def test_a_word_negated_only_in_a_sentence_that_does_not_carry_the_claim_does_not_count():
    passage = (
        "The bootcamp says this is the stage where analysts turn into engineers who can ship. "
        "Its list of mistakes includes 'writing notebooks, never shipping them'."
    )
    assert supported(
        "The bootcamp calls shipping the stage where analysts turn into engineers who can ship [1].", passage
    )


def test_a_title_must_be_in_the_passages_in_its_order():
    passage = (
        "Data engineers need strong SQL. The Practical Data Pipelines course covers it; see its first unit."
    )
    assert supported("The Practical Data Pipelines course covers strong SQL [1].", passage)
    assert not supported("The Data Pipelines Practical course covers strong SQL [1].", passage)
    assert not supported(
        "Data engineers need strong SQL, which the Strong Data Engineers course covers [1].", passage
    )


def test_a_span_of_time_keeps_its_unit_and_shares_of_a_whole_may_be_worked_out():
    hard = "Mentors warn that the first few weeks of the course are normally hard."
    assert supported("The first few weeks of the course are normally hard [1].", hard)
    assert not supported("The first few months of the course are normally hard [1].", hard)
    split = "The survey had 200 answers; 25% of them were set aside for checking."
    assert supported("Setting aside 25% of the 200 answers leaves 150 for the analysis [1].", split)
    assert not supported("Setting aside 25% of the 200 answers leaves 120 for the analysis [1].", split)


def test_a_list_counts_its_items_across_wrapped_lines_and_grouped_digits_are_one_figure():
    wrapped = (
        "You need three things:\n\n- **A laptop**: any recent one will do; a GPU is\n  not required.\n"
        "- **Time**: a few hours a week.\n- **Patience**, mostly for the\n  first month."
    )
    assert supported("The list has 3 items: a laptop, time and patience [1].", wrapped)
    grouped = "The streaming reader suits files with a large number of rows (> 50.000)."
    assert supported("The streaming reader suits files with more than 50,000 rows [1].", grouped)
    assert not supported("The streaming reader suits files with more than 5,000 rows [1].", grouped)


def test_names_run_together_are_counted_and_the_others_leave_one_out():
    roles = "The roadmap covers data scientists, ML engineers, AI engineers and MLOps engineers."
    assert supported("The roadmap describes four roles [1].", roles)
    assert not supported("The roadmap describes five roles [1].", roles)
    courses = (
        "| Course | Rating |\n|---|---|\n| Structuring ML Projects | 9.8 |\n| Deep Learning | 9.7 |\n"
        "| Sequence Models | 9.7 |\n| NLP | 9.7 |"
    )
    assert supported("Structuring ML Projects is rated 9.8; the other three sit at 9.7 [1].", courses)
    assert not supported("Structuring ML Projects is rated 9.8; the other five sit at 9.7 [1].", courses)


def test_a_word_is_denied_only_where_the_passage_denies_it():
    tips = "Below are some tips on avoiding data leakage:\n\n- Split the data first.\n- Use a pipeline."
    assert supported("To avoid leakage, split the data first and use a pipeline [1].", tips)
    avoid = "Things to avoid:\n\n- Tuning on the test set.\n- Scaling before the split."
    assert not supported("You should tune on the test set [1].", avoid)
    # the same word denied in one clause and said in another: "instead of a random subset" for
    # regression, "a random subset" for classification
    features = (
        "Good defaults are max_features=None (all features instead of a random subset) for regression, "
        'and max_features="sqrt" (a random subset of size sqrt(n_features)) for classification.'
    )
    assert supported("For classification, each split looks at a random subset of the features [1].", features)
    praise = "Nothing explains the transformer more clearly than Karpathy's Zero to Hero series."
    assert supported("Karpathy's Zero to Hero series explains the transformer most clearly [1].", praise)


def test_a_list_item_of_two_paragraphs_a_dashed_title_and_a_word_said_both_ways():
    tips = (
        "Tips on avoiding leakage:\n\n- Split the data first.\n- Never fit on test data.\n\n"
        "  Use transform on both subsets instead.\n- Use a pipeline."
    )
    assert supported("The guide gives three tips on avoiding leakage [1].", tips)  # not two
    assert not supported("The guide gives four tips on avoiding leakage [1].", tips)
    aws = "The AWS Certified Machine Learning — Specialty signals cloud ML platform competency."
    assert supported("The AWS Machine Learning Specialty signals cloud ML competency [1].", aws)
    assert not supported("The AWS Data Engineering Specialty signals cloud ML competency [1].", aws)
    pickle = "Never unpickle untrusted data as it could lead to malicious code being executed upon loading."
    assert supported("Loading a pickle can run malicious code, so never unpickle untrusted data [1].", pickle)


def test_figures_set_in_code_ratios_and_rates_worked_out_from_the_passage():
    depth = "Use `max_depth=3` as an initial tree depth to get a feel for how the tree is fitting."
    assert supported("Start with a tree depth of 3 to get a feel for the fit [1].", depth)
    assert not supported("Start with a tree depth of 5 to get a feel for the fit [1].", depth)
    assert supported("GPT-4 has four times as many layers as GPT-2 [1].", LAYERS)
    assert not supported("GPT-4 has three times as many layers as GPT-2 [1].", LAYERS)
    plan = "The roadmap is designed for 2 hours per day, 6 days per week, about 360 hours over 6 months."
    assert supported("At 2 hours a day, six days a week, that's 12 hours weekly [1].", plan)
    assert not supported("At 2 hours a day, six days a week, that's 14 hours weekly [1].", plan)


def test_british_and_american_spellings_are_the_same_words():
    lasso = "L1-penalized models have many coefficients at zero, so they suit feature selection."
    assert supported("L1-penalised models suit feature selection [1].", lasso)
    assert supported(
        "Standardisation changes the optimiser's behaviour [1].",
        "Standardization changes the optimizer behavior.",
    )


def test_a_negation_said_another_way_is_the_same_negation():
    cache = "The tokenizer keeps its own cache, which avoids the need for a second lookup table."
    assert supported("With its own cache, the tokenizer doesn't need a second lookup table [1].", cache)
    assert not supported("The tokenizer needs a second lookup table next to its cache [1].", cache)
    clipping = "Clipping: cap gradients for recurrent networks; convolutional networks do not need it."
    assert supported("Convolutional networks can do without clipping [1].", clipping)
    warm = "No warm start amounts to refitting every model from scratch."
    assert supported("Switching the warm start off amounts to refitting every model from scratch [1].", warm)


def test_list_items_under_a_negated_lead_in_are_negated():
    passage = "This course is not meant for:\n\n- people who want a certificate in a weekend\n- recruiters"
    assert supported("The course isn't meant for people who want a certificate in a weekend [1].", passage)
    assert not supported("The course is meant for people who want a certificate in a weekend [1].", passage)


def test_a_comparison_with_its_sides_swapped_is_caught_unless_the_word_flips_too():
    passage = "Employers say portfolio projects matter more than certificates."
    assert not supported("Certificates matter more than portfolio projects [1].", passage)
    assert supported("Certificates matter less than portfolio projects [1].", passage)
    relation = "Transformers have largely replaced RNNs for sequence tasks."
    assert not supported("RNNs have replaced transformers for sequence tasks [1].", relation)
    assert supported("RNNs have been replaced by transformers for sequence tasks [1].", relation)
    # "beats" is "is worth more than"; the speaker and a lead-in before a colon are no side
    beats = (
        "Edirae adds that simple wins: a linear regression you understand beats a transformer you "
        "built badly."
    )
    assert supported(
        "A linear regression you understand is worth more than a badly built transformer [1].", beats
    )
    assert not supported(
        "Edirae says a transformer you built badly teaches more than a linear regression you understand [1].",
        beats,
    )


def test_a_name_put_into_the_statement_of_another_is_caught_inside_one_sentence():
    passage = (
        "Streamlit and Gradio both turn a script into a web page; the course calls Gradio the fastest "
        "route to a shareable demo."
    )
    assert supported("The course calls Gradio the fastest route to a shareable demo [1].", passage)
    assert not supported("The course calls Streamlit the fastest route to a shareable demo [1].", passage)


def test_two_subjects_trading_what_the_passage_says_of_each_are_caught_wherever_they_sit():
    passage = (
        "For bagging, the estimators are trained in parallel on resampled data, while in the "
        "boosting family each new estimator is fitted to the errors of the previous ones."
    )
    assert supported(
        "Boosting fits each new estimator to the previous ones' errors, while bagging trains its "
        "estimators in parallel on resampled data [1].",
        passage,
    )
    assert not supported(
        "Bagging fits each new estimator to the previous ones' errors, while boosting trains its "
        "estimators in parallel on resampled data [1].",
        passage,
    )


def test_a_figure_the_claim_supposes_to_work_another_out_passes_only_when_the_sum_is_right():
    passage = "The lab plan gives 12 GPU credits a week; a share of 250 of its 1000 seats is free."
    assert supported("At 12 credits a week, over five weeks that adds up to 60 credits [1].", passage)
    assert not supported("At 12 credits a week, over five weeks that adds up to 70 credits [1].", passage)
    assert not supported("At 12 credits a week, over six weeks that adds up to 60 credits [1].", passage)
    assert supported("250 of its 1000 seats are free, that's 25% of them [1].", passage)
    assert not supported("250 of its 1000 seats are free, that's 20% of them [1].", passage)


def test_an_order_turned_round_is_caught_in_whichever_words_it_is_given():
    chain = "Begin with descriptive statistics, then probability, then hypothesis testing."
    assert not supported("Start with hypothesis testing and work up to descriptive statistics [1].", chain)
    assert not supported("Learn probability only after hypothesis testing [1].", chain)
    assert supported("Learn probability after descriptive statistics [1].", chain)
    assert supported("Descriptive statistics come before hypothesis testing [1].", chain)
    # "first" and "later" in two sentences of one passage; a question orders nothing
    split = "Which comes first, Docker or Kubernetes? Learn Docker first. Pick up Kubernetes later on."
    assert not supported("Learn Kubernetes first and Docker later [1].", split)
    assert supported("Learn Docker before Kubernetes [1].", split)
    # "the first few" is no order, and one word in common is not the same step
    models = "Take the deployment course after your first few trained models."
    assert supported("After your first few trained models, take the deployment course [1].", models)
    assert not supported("Take the deployment course before you train any models [1].", models)
    # "after" orders the step it follows, nothing else in the sentence
    school = (
        "The school orders them: Statistics for the basics, and Deployment after the first few "
        "trained models."
    )
    assert supported(
        "Take Statistics first for the basics, then Deployment after your first few models [1].", school
    )
    assert not supported(
        "Start with Deployment and take Statistics after your first few trained models [1].", school
    )


def test_a_comparison_turned_round_is_read_through_a_pronoun_and_a_name_written_in_parts():
    boosting = "Gradient boosting is the usual first pick: it trains faster than a neural network."
    assert supported("A neural network trains more slowly than gradient boosting [1].", boosting)
    assert not supported("A neural network trains faster than gradient boosting [1].", boosting)
    kmeans = (
        "The MiniBatchKMeans class cuts computation time. Mini-batch k-means produces results only "
        "slightly worse than the standard algorithm."
    )
    assert supported("Standard k-means gives slightly better results than MiniBatchKMeans [1].", kmeans)
    assert not supported("MiniBatchKMeans gives slightly better results than standard k-means [1].", kmeans)


def test_an_opposite_counts_only_beside_what_the_word_is_said_of_and_not_when_negated():
    forest = (
        "Random forests reach a reduced variance by averaging trees, "
        "at the cost of a slight increase in bias."
    )
    assert supported("Random forests reduce variance by averaging trees [1].", forest)
    assert not supported("Random forests also slightly reduce bias [1].", forest)
    different = (
        "The calibrator should be fitted on different samples from those used to fit the classifier [1]."
    )
    negated = (
        "The samples used to fit the calibrator should not be the same samples used to fit the classifier."
    )
    assert supported(different, negated)
    assert not supported(
        different, "The samples used to fit the calibrator are the same samples as the classifier's."
    )


def test_a_stretch_ends_at_a_dash():
    # read to the dash, "gradient boosting" was on both sides of the passage's comparison
    passage = (
        "- Start with gradient boosting (XGBoost) before touching neural networks — gradient boosting "
        "outperforms neural networks on most tabular data."
    )
    assert supported("Gradient boosting outperforms neural networks on most tabular data [1].", passage)
    assert not supported("Neural networks outperform gradient boosting on most tabular data [1].", passage)


def test_a_side_of_a_comparison_may_list_things_with_commas():
    passage = "Engineers comfortable with Python, SQL and the shell are hired sooner than notebook-only ones."
    assert supported(  # turned round, with the opposite word
        "Notebook-only engineers are hired later than engineers comfortable with Python, SQL and the "
        "shell [1].",
        passage,
    )
    assert supported(
        "Engineers comfortable with Python, SQL and the shell get hired sooner than notebook-only "
        "engineers [1].",
        passage,
    )
    assert not supported(
        "Notebook-only engineers are hired sooner than engineers comfortable with Python, SQL and "
        "the shell [1].",
        passage,
    )


def test_how_often_is_an_antonym_too():
    passage = "The key skill is judging clusters without labels, which is always the situation in production."
    assert supported("Judging clusters without labels is always the situation in production [1].", passage)
    assert not supported(
        "Judging clusters without labels is rarely the situation in production [1].", passage
    )


def test_words_swapped_between_two_names_are_caught():
    passage = "ARIMA suits simple trends, while TimesNet suits complex multivariate forecasting."
    assert supported("TimesNet suits complex multivariate forecasting [1].", passage)
    swapped = "ARIMA suits complex multivariate forecasting, while TimesNet suits simple trends [1]."
    assert not supported(swapped, passage)
    assert not supported(
        "RobustScaler was designed for scaling sparse data, while MaxAbsScaler cannot be fitted "
        "to sparse inputs [1].",
        SCALERS,
    )


def test_a_table_cell_belongs_to_its_row_and_column():
    assert supported("MLflow is free [1].", TABLE)
    assert not supported("Neptune is free [1].", TABLE)
    units = [u.text for u in passage_units([TABLE])]
    assert "Price Neptune paid." in units and not any(u.startswith("|") for u in units)


def test_a_rough_quantity_counts_what_the_passage_counts_and_a_bracketed_unit_is_a_unit():
    speed = "These estimators are much faster when there are more than tens of thousands of samples."
    assert supported("They are much faster with more than tens of thousands of samples [1].", speed)
    assert not supported("They are much faster with more than tens of thousands of features [1].", speed)
    cache = "Set cache_size higher than the default of 200(MB), such as 500(MB) or 1000(MB)."
    assert supported("Raise cache_size above its 200 MB default, to 500 MB for example [1].", cache)
    assert not supported("Raise cache_size above its 200 GB default, to 500 GB for example [1].", cache)


def test_what_the_passages_do_not_say_is_not_supported():
    passage = "KMeans clusters data by minimising the inertia, or within-cluster sum of squares."
    assert supported("KMeans minimises the inertia [1].", passage)
    assert not supported(
        "KMeans minimises the inertia and uses k-means++ initialisation by default [1].", passage
    )
    assert not supported(
        "Jenkins is the CI tool that the course names [1].", "GitHub Actions is the CI tool."
    )
    assert check_sentence("Anything at all.", []) == (False, "no citation")


def test_a_claim_describing_code_may_use_words_the_code_does_not():
    code = (
        "for epoch in range(100):\n"
        "    epoch_loss = 0.0\n"
        "    for X_batch, y_batch in train_loader:\n"
        "        optimizer.step()\n"
        "    if (epoch + 1) % 25 == 0:\n"
        "        print(f'Epoch {epoch+1}/100 | Loss: {epoch_loss:.4f}')"
    )
    claim = "The example training loop runs over the batches for 100 epochs, printing progress."

    def novel(passage: str) -> str:
        return _novelty(tokenize(claim, claim=True), Evidence(passage_units([passage])))

    assert novel(code) == ""
    prose = "Train for 100 epochs and keep the epoch loss; print it every 25 epochs."
    assert novel(prose)  # the same words beside prose do say something it does not
    assert not supported("The example training loop runs over the batches for 200 epochs [1].", code)


def test_words_for_the_text_itself_are_not_new_facts():
    table = (
        "Spectral clustering: few clusters, even cluster size, non-flat geometry. Mean-shift: many "
        "clusters, uneven cluster size."
    )
    assert supported(
        "Per the table in this section, spectral clustering suits few clusters of even size [1].", table
    )
    assert not supported(
        "Per the table in this section, spectral clustering needs a GPU and labels [1].", table
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "Learn SQL alongside your pandas work, not as a separate phase [1].",
        "Kaggle gives roughly 30 GPU hours each week [1].",
        "Google Colab's GPU time isn't guaranteed [1].",
    ],
)
def test_faithful_paraphrases_pass(sentence):
    passages = [GPU, "Learn SQL in parallel with your pandas work rather than as a separate phase."]
    assert supported(sentence, *passages)


def test_clauses_names_and_negation_scopes():
    tokens = tokenize("ARIMA suits trends and TimesNet suits forecasting, not RNNs.", claim=True)
    clause_of = {t.text: t.clause for t in tokens}
    assert clause_of["ARIMA"] == clause_of["trends"] != clause_of["TimesNet"]
    assert tokenize("Models cannot be fitted to sparse inputs.")[3].negated  # "fitted", the head
    assert [t.value for t in tokenize("It takes 4–6 weeks, about a fortnight.") if t.kind == "num"] == [
        4,
        6,
        2,
    ]


def test_ground_reports_each_sentence_with_its_reason():
    _, grounding = ground(
        "Kaggle gives about 30 GPU hours a week [1]. Colab gives 30 GPU hours a week [1].", {1: GPU}
    )
    assert [s.supported for s in grounding.sentences] == [True, False]
    assert grounding.sentences[1].reason


def test_units_and_rates_must_match():
    assert supported("Kaggle gives about 30 free GPU hours per week [1].", GPU)
    assert not supported("Kaggle gives about 30 free GPU hours a month [1].", GPU)
    assert not supported("Kaggle gives about 30 free GPU days a week [1].", GPU)
    cache = "Set cache_size above the default of 200 MB, such as 500 MB."
    assert supported("The cache_size default is 200 MB [1].", cache)
    assert not supported("The cache_size default is 200 GB [1].", cache)


def test_a_count_is_no_share_or_size_and_sizes_keep_their_unit():
    bagging = "Each estimator is built on random subsets of 50% of the samples and 50% of the features."
    assert supported("Each estimator sees 50% of the samples [1].", bagging)
    assert "not as a count" in reason("Each estimator is built on 50 samples and 50 features [1].", bagging)
    chunks = "Small chunks of data (256 samples) are processed in parallel, which keeps memory low."
    assert supported("Chunks of 256 samples are processed in parallel [1].", chunks)
    assert "counts 'sampl'" in reason("Chunks of 256 MB are processed in parallel [1].", chunks)
    codes = 'Pack codes "H" and "I" represent two and four byte unsigned numbers respectively.'
    assert supported('The code "I" stands for a four byte unsigned number [1].', codes)
    assert not supported('The code "I" stands for a four-bit unsigned number [1].', codes)
    tax = "Calculating a 5% tax on a 70 cent phone charge gives different results."
    assert not supported("A 5% tax on a 70 dollar phone charge gives different results [1].", tax)
    delay = "The default cost delay is 2 milliseconds."
    assert not supported("The default cost delay is 2 seconds [1].", delay)
    # thousands are a figure, not a unit: "10k rows" counts rows
    assert supported("It handles 10,000 rows [1].", "It handles 10k rows in a second.")


def test_openers_and_verbs_that_only_look_like_names_or_negations():
    passage = (
        "It is possible to early-stop using a scorer, though using a scorer is slower than using the "
        "loss. A model that repeats the labels it has seen fails to predict anything on unseen data. "
        "Set cache_size higher than the default of 200 MB when you have enough RAM."
    )
    assert supported("Early stopping can use a scorer [1].", passage)
    assert supported("Despite that, using a scorer is slower than using the loss [1].", passage)
    assert not supported("Using a scorer for early stopping is faster than using the loss [1].", passage)
    assert supported("Raising cache_size higher than the default of 200 MB needs enough RAM [1].", passage)
    assert not supported(
        "A model that repeats the labels it has seen predicts unseen data well [1].", passage
    )


def test_what_a_passage_says_of_one_subject_is_not_said_of_a_sibling():
    passage = (
        "- Image data: convolutional networks lead; start from a pretrained EfficientNet via torchvision.\n"
        "- Text data: transformers lead; use sentence-transformers for embeddings.\n"
        "- Tabular data: gradient boosting still wins.\n"
    )
    assert supported("For image data, start from a pretrained EfficientNet via torchvision [1].", passage)
    assert not supported("For text data, start from a pretrained EfficientNet via torchvision [1].", passage)
    scalers = (
        "MaxAbsScaler was designed for scaling sparse data. RobustScaler cannot be fitted to sparse inputs."
    )
    assert not supported("MaxAbsScaler cannot be fitted to sparse inputs [1].", scalers)
    assert supported(
        "Unlike MaxAbsScaler, built for sparse data, RobustScaler cannot be fitted to sparse inputs [1].",
        scalers,
    )


def test_a_row_quoted_whole_is_its_own_even_when_another_rows_cell_holds_its_words():
    # Cat6's length cell "55 m (1 Gbps up to 100 m)" holds Cat5e's speed and length: the quoted
    # Cat5e row was judged as Cat6's, "said of something else"
    cables = (
        "| Category | Maximum speed | Maximum length at that speed | Bandwidth |\n|---|---|---|---|\n"
        "| Cat5e | 1 Gbps | 100 m | 100 MHz |\n| Cat6 | 10 Gbps | 55 m (1 Gbps up to 100 m) | 250 MHz |\n"
    )
    row = "Category: Cat5e — Maximum speed: 1 Gbps; Maximum length at that speed: 100 m; "
    row += "Bandwidth: 100 MHz [1]."
    assert supported(row, cables), reason(row, cables)
    cat6 = "Category: Cat5e — Maximum length at that speed: 55 m (1 Gbps up to 100 m) [1]."
    assert "something else" in reason(cat6, cables)  # Cat6's cell said of Cat5e


def test_documentation_passages_wrapped_lines_api_tables_and_code():
    wrapped = "Start with known issues. Please do not contact the\ncontributors directly."
    assert supported("Please do not contact the contributors directly [1].", wrapped)
    api = "|  |  |\n| --- | --- |\n| `model_selection.GridSearchCV`(estimator) | Exhaustive search. |\n"
    assert supported(
        "model_selection.GridSearchCV(estimator) — Exhaustive search over parameter values [1].", api
    )
    both = (
        "Fitting KernelRidge is faster than fitting SVR for medium-sized sets. "
        "With regard to prediction time, SVR is faster than KernelRidge."
    )
    assert supported("With regard to prediction time, SVR is faster than KernelRidge [1].", both)
    code = ">>> rng = np.random.RandomState(0)\n>>> cv = KFold(n_splits=2, shuffle=True, random_state=rng)"
    assert supported(">>> rng = np.random.RandomState(0) >>> cv = KFold(n_splits=2, shuffle=True) [1].", code)


def test_a_passage_line_cut_mid_sentence_runs_on_into_a_line_opening_with_a_name():
    # An HTML page's source lines broke before each backticked name: the verbatim quote was judged
    # "said of something else" against the half sentence "Finally, many parts of the implementation of".
    passage = (
        "values, but it only happens once at the very beginning of the boosting process.\n\n"
        "Finally, many parts of the implementation of\n`HistGradientBoostingClassifier` and\n"
        "`HistGradientBoostingRegressor` are parallelized."
    )
    claim = (
        "Finally, many parts of the implementation of HistGradientBoostingClassifier and "
        "HistGradientBoostingRegressor are parallelized [1]."
    )
    assert check_sentence(claim, [passage]) == (True, "")
    passage = (
        "Note\nClassification with more than 2 classes requires the induction\nof `n_classes` regression "
        "trees at each iteration,\nthus, the total number of induced trees equals\n"
        "`n_classes * n_estimators`. For datasets with a large number\nof classes we strongly recommend "
        "to use\n`HistGradientBoostingClassifier` as an alternative to\n`GradientBoostingClassifier` ."
    )
    claim = (
        "For datasets with a large number of classes we strongly recommend to use "
        "HistGradientBoostingClassifier as an alternative to GradientBoostingClassifier [1]."
    )
    assert check_sentence(claim, [passage]) == (True, "")


FORESTS = (
    "Deep trees overfit. Note that in bagged forests, bootstrap samples are drawn by default "
    "(bootstrap=True) while the default for randomised trees is to use the whole dataset "
    "(bootstrap=False)."
)


def test_subjects_trading_places_after_an_opening_adverbial():
    assert supported(
        "By default bagged forests are grown on bootstrap samples (bootstrap=True) [1].", FORESTS
    )
    assert not supported(
        "By default randomised trees are grown on bootstrap samples (bootstrap=True), whereas bagged "
        "forests use the whole dataset (bootstrap=False) [1].",
        FORESTS,
    )


def test_wordings_of_shares_ranges_and_amounts_read_as_what_they_mean():
    cleaning = "Surveys put data cleaning at 60–80% of the job."
    assert supported("Cleaning takes somewhere between 60 and 80 percent of the job [1].", cleaning)
    rate = "A smaller step size requires larger numbers of rounds to reach the same training error."
    assert supported("A smaller step size requires more rounds to reach the same training error [1].", rate)
    assert not supported("A smaller step size needs fewer rounds to reach the same training error [1].", rate)
    dropout = "MOOC completion data puts dropout from ML courses above 90%."
    assert supported("More than nine in ten learners drop out of ML courses [1].", dropout)
    assert not supported("More than eight out of 10 learners drop out of ML courses [1].", dropout)


def test_a_figure_counts_the_last_word_of_a_two_word_name():
    passage = "The solver usually settles after about 10^6 training samples; the rest is noise."
    assert supported("The solver usually settles after about 10^6 training samples [1].", passage)
    assert not supported("The solver usually settles after about 10^6 training epochs [1].", passage)
    # ... though the claim names the first word elsewhere (judge set e066: "10^6 epochs over the
    # training data" for "10^6 training samples")
    assert not supported(
        "The solver usually settles after about 10^6 epochs over the training data [1].", passage
    )
    assert supported("The solver usually settles after about 10^6 samples seen in training [1].", passage)


def test_a_span_of_weeks_counted_from_its_first_and_last_week():
    plan = "Stage five, weeks 33-48: the capstone project and job preparation."
    assert supported("The capstone stage takes sixteen weeks, week 33 through week 48 [1].", plan)
    assert not supported("The capstone stage takes twenty weeks, week 33 through week 48 [1].", plan)


def test_a_row_quoted_from_a_table_of_rows_alike_but_for_a_negation_is_supported():
    # a new user's trial on PostgreSQL's documentation: the quoted row "timestamp with time zone …"
    # was judged against its neighbour "timestamp [ without time zone ]", which negates "time"
    table = (
        "| Name | Storage Size | Description | Resolution |\n|---|---|---|---|\n"
        "| `timestamp [ (p) ] [ without time zone ]` | 8 bytes | both date and time (no time zone) "
        "| 1 microsecond |\n"
        "| `timestamp [ (p) ] with time zone` | 8 bytes | both date and time, with time zone "
        "| 1 microsecond |"
    )
    assert supported(
        "`timestamp [ (p) ] with time zone` — Storage Size: 8 bytes; Description: both date and time, "
        "with time zone; Resolution: 1 microsecond [1].",
        table,
    )
    # a claim the only carrying sentence negates is still caught
    assert not supported(
        "Tree models need feature scaling [1].", "Tree models do not need feature scaling, unlike SVMs."
    )


EFFORT = (
    "The survey asks 3–4 hours a week of learners who already code in Java, and 8–10 hours a week "
    "of newcomers who have never programmed."
)
SIZES = "The guide lists 12 layers for the small model and 48 for the large one."


def test_a_figure_belongs_to_the_clause_that_gives_it_within_one_sentence():
    # a figure moved to the other clause's words
    assert not supported(
        "The survey asks 8–10 hours a week of learners who already code in Java [1].", EFFORT
    )
    assert not supported(
        "Learners who already code in Java need 8–10 hours a week, and newcomers 3–4 hours [1].", EFFORT
    )
    # the figure with its own clause's words, the two compared in one clause, or a name said of both
    assert supported(
        "Newcomers who have never programmed need 8–10 hours a week, the survey says [1].", EFFORT
    )
    assert supported("The survey asks 8–10 hours a week of newcomers against 3–4 of Java coders [1].", EFFORT)
    assert supported("The guide lists 48 layers for the large model [1].", SIZES)


STEP = "The step size matters: too large and the loss explodes, too small and progress stalls."


def test_a_word_and_its_opposite_keep_what_their_clauses_say():
    # what the sentence says after "large" given to "small", and back
    assert not supported("Set the step too small and the loss explodes [1].", STEP)
    assert not supported(
        "The step size matters: too small and the loss explodes, too large and progress stalls [1].", STEP
    )
    # each with its own clause's words
    assert supported("With too small a step, progress stalls [1].", STEP)
    assert supported("A step that is too large makes the loss explode [1].", STEP)
    assert supported(
        "Too large a step and the loss explodes; too small a step and progress stalls [1].", STEP
    )


def test_a_rates_period_is_read_a_few_words_after_its_unit():
    # "30 hours of free GPU time each month" is a rate per month, against "30 free GPU hours a week"
    assert not supported("Kaggle Notebooks give about 30 hours of free GPU time each month [1].", GPU)
    assert supported("Kaggle Notebooks give about 30 hours of free GPU time every week [1].", GPU)


SWITCH = "Moving from one framework to the other takes about a week, so pick one and go deep."


def test_a_span_of_one_unit_keeps_its_unit():
    # "about a month" where the passage says "about a week" after the same word
    changed = "Moving from one framework to the other takes about a month, so pick one and go deep [1]."
    assert "about a week" in reason(changed, SWITCH)
    assert supported("Switching frameworks takes about a week, so go deep on one [1].", SWITCH)


RAND = (  # the passage as answers cite it: "[0, 1]" made inert as "［0, 1］"
    "The score range is ［0, 1］ for the unadjusted Rand index and [-1, 1] for the adjusted Rand index. "
    "Random label assignments have an adjusted Rand index score close to 0.0 for any number of clusters."
)


def test_a_figure_quoted_with_its_own_words_is_not_moved_by_another_sentences_clauses():
    # sklearn: a sentence quoted whole was flagged because another sentence gives 0 and 1 to two indexes
    quoted = (
        "Random label assignments have an adjusted Rand index score close to 0.0 for any number of clusters"
    )
    assert supported(f"{quoted} [1].", RAND)


def test_a_sentence_the_passage_says_word_for_word_is_supported():
    # a new user's trial: a quote of its cited passage ("… 90 days …") was reported as not matched
    passage = (
        "- gc.reflogExpire: How long reflog entries are kept; the default is 90 days.\n"
        "It is not true that entries older than that age are lost at once. They go at the next gc."
    )
    assert quoted("It is not true that entries older than that age are lost at once.", [passage])
    assert quoted("gc.reflogExpire: How long reflog entries are kept", [passage])
    # a quote from the middle of a sentence is not one: it may drop what negates it
    assert not quoted("entries older than that age are lost at once", [passage])
    assert not quoted("They go.", [passage])  # too short to tell
