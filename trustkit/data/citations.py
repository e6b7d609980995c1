"""BibTeX citations of every dataset in the registry and of the papers that criticise them.

Kept apart from the registry so that the entries stay readable; keys follow the ACL Anthology's.
"""

NANGIA_2020 = """@inproceedings{nangia-etal-2020-crows,
    title = "{C}row{S}-Pairs: A Challenge Dataset for Measuring Social Biases in Masked Language Models",
    author = "Nangia, Nikita and Vania, Clara and Bhalerao, Rasika and Bowman, Samuel R.",
    booktitle = "Proceedings of the 2020 Conference on Empirical Methods in Natural Language Processing (EMNLP)",
    month = nov,
    year = "2020",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2020.emnlp-main.154/",
    doi = "10.18653/v1/2020.emnlp-main.154",
    pages = "1953--1967"
}"""

NEVEOL_2022 = """@inproceedings{neveol-etal-2022-french,
    title = "{F}rench {C}row{S}-Pairs: Extending a challenge dataset for measuring social bias in masked
             language models to a language other than {E}nglish",
    author = "N{\\'e}v{\\'e}ol, Aur{\\'e}lie and Dupont, Yoann and Bezan{\\c{c}}on, Julien and Fort, Kar{\\\"e}n",
    booktitle = "Proceedings of the 60th Annual Meeting of the Association for Computational Linguistics
                 (Volume 1: Long Papers)",
    month = may,
    year = "2022",
    address = "Dublin, Ireland",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2022.acl-long.583/",
    doi = "10.18653/v1/2022.acl-long.583",
    pages = "8521--8531"
}"""

PIKULIAK_2023 = """@inproceedings{pikuliak-etal-2023-depth,
    title = "In-Depth Look at Word Filling Societal Bias Measures",
    author = "Pikuliak, Mat{\\'u}{\\v{s}} and Be{\\v{n}}ov{\\'a}, Ivana and Bachrat{\\'y}, Viktor",
    booktitle = "Proceedings of the 17th Conference of the European Chapter of the Association for
                 Computational Linguistics",
    month = may,
    year = "2023",
    address = "Dubrovnik, Croatia",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2023.eacl-main.265/",
    doi = "10.18653/v1/2023.eacl-main.265"
}"""

NADEEM_2021 = """@inproceedings{nadeem-etal-2021-stereoset,
    title = "{S}tereo{S}et: Measuring stereotypical bias in pretrained language models",
    author = "Nadeem, Moin and Bethke, Anna and Reddy, Siva",
    booktitle = "Proceedings of the 59th Annual Meeting of the Association for Computational Linguistics and
                 the 11th International Joint Conference on Natural Language Processing (Volume 1: Long
                 Papers)",
    month = aug,
    year = "2021",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.acl-long.416/",
    doi = "10.18653/v1/2021.acl-long.416",
    pages = "5356--5371"
}"""

ZHAO_2018 = """@inproceedings{zhao-etal-2018-gender,
    title = "Gender Bias in Coreference Resolution: Evaluation and Debiasing Methods",
    author = "Zhao, Jieyu and Wang, Tianlu and Yatskar, Mark and Ordonez, Vicente and Chang, Kai-Wei",
    booktitle = "Proceedings of the 2018 Conference of the North American Chapter of the Association for
                 Computational Linguistics: Human Language Technologies, Volume 2 (Short Papers)",
    month = jun,
    year = "2018",
    address = "New Orleans, Louisiana",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/N18-2003/",
    doi = "10.18653/v1/N18-2003",
    pages = "15--20"
}"""

GILDEA_2018 = """@inproceedings{gildea-etal-2018-acl,
    title = "The {ACL} {A}nthology: Current State and Future Directions",
    author = "Gildea, Daniel and Kan, Min-Yen and Madnani, Nitin and Teichmann, Christoph and Villalba, Mart{\\'i}n",
    booktitle = "Proceedings of Workshop for {NLP} Open Source Software ({NLP}-{OSS})",
    month = jul,
    year = "2018",
    address = "Melbourne, Australia",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/W18-2504/",
    doi = "10.18653/v1/W18-2504"
}"""

BLODGETT_2021 = """@inproceedings{blodgett-etal-2021-stereotyping,
    title = "Stereotyping {N}orwegian Salmon: An Inventory of Pitfalls in Fairness Benchmark Datasets",
    author = "Blodgett, Su Lin and Lopez, Gilsinia and Olteanu, Alexandra and Sim, Robert and Wallach, Hanna",
    booktitle = "Proceedings of the 59th Annual Meeting of the Association for Computational Linguistics and
                 the 11th International Joint Conference on Natural Language Processing (Volume 1: Long
                 Papers)",
    month = aug,
    year = "2021",
    address = "Online",
    publisher = "Association for Computational Linguistics",
    url = "https://aclanthology.org/2021.acl-long.81/",
    doi = "10.18653/v1/2021.acl-long.81"
}"""
