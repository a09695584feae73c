"""The OpML '19 table of contents, written out by hand from the printed proceedings.

Each paper: first page, title, session, and its authors as (given, family, affiliation).
The first author of KnowledgeNet is spelt here as the table of contents spells it.
"""

GOOGLE = "Google, Inc."
MSR = "Microsoft AI and Research"
MS = "Microsoft"
SAMSUNG = "Samsung Research"
GMU = "George Mason University"
IBM = "IBM Research\u2013Almaden"
PM = "ParallelM"
UIUC = "University of Illinois at Urbana-Champaign"
UIUC_NCSA = "University of Illinois at Urbana-Champaign and National Center for Supercomputing Applications"
NCSA = "National Center for Supercomputing Applications"
INTUIT = "Intuit, Inc."
LINKEDIN = "LinkedIn"
USC = "University of South Carolina"
ASU = "Arizona State University"
GR = "Google Research"
CISCO = "Cisco Systems"
VU = "Vanderbilt University"

S1 = "Production Experiences and Learnings"
S2 = "Handling Heterogeneity, Distribution, and Scale"
S3 = "Measuring and Diagnosing Production ML"
S4 = "Optimizing and Tuning"
S5 = "Solutions and Platforms"

PAPERS = [
    (1, "Opportunities and Challenges Of Machine Learning Accelerators In Production", S1, [
        ("Rajagopal", "Ananthanarayanan", GOOGLE), ("Peter", "Brandt", GOOGLE),
        ("Manasi", "Joshi", GOOGLE), ("Maheswaran", "Sathiamoorthy", GOOGLE)]),
    (5, "Accelerating Large Scale Deep Learning Inference through DeepCPU at Microsoft", S1, [
        ("Minjia", "Zhang", MSR), ("Samyam", "Rajbandari", MSR), ("Wenhan", "Wang", MSR),
        ("Elton", "Zheng", MSR), ("Olatunji", "Ruwase", MSR), ("Jeff", "Rasley", MSR),
        ("Jason", "Li", MSR), ("Junhua", "Wang", MSR), ("Yuxiong", "He", MSR)]),
    (9, "MLOp Lifecycle Scheme for Vision-based Inspection Process in Manufacturing", S1, [
        ("Junsung", "Lim", SAMSUNG), ("Hoejoo", "Lee", SAMSUNG), ("Youngmin", "Won", SAMSUNG),
        ("Hunje", "Yeon", SAMSUNG)]),
    (13, "Shooting the moving target: machine learning in cybersecurity", S1, [
        ("Ankit", "Arun", "PatternEx"), ("Ignacio", "Arnaldo", "PatternEx")]),
    (15, "Deep Learning Inference Service at Microsoft", S1, [
        ("Jonathan", "Soifer", MS), ("Jason", "Li", MS), ("Mingqin", "Li", MS), ("Jeffrey", "Zhu", MS),
        ("Yingnan", "Li", MS), ("Yuxiong", "He", MS), ("Elton", "Zheng", MS), ("Adi", "Oltean", MS),
        ("Maya", "Mosyak", MS), ("Chris", "Barnes", MS), ("Thomas", "Liu", MS), ("Junhua", "Wang", MS)]),
    (19, "Towards Taming the Resource and Data Heterogeneity in Federated Learning", S2, [
        ("Zheng", "Chai", GMU), ("Hannan", "Fayyaz", "York University"),
        ("Zeshan", "Fayyaz", "Ryerson University"), ("Ali", "Anwar", IBM), ("Yi", "Zhou", IBM),
        ("Nathalie", "Baracaldo", IBM), ("Heiko", "Ludwig", IBM), ("Yue", "Cheng", GMU)]),
    (23, "MPP: Model Performance Predictor", S3, [
        ("Sindhu", "Ghanta", PM), ("Sriram", "Subramanian", PM), ("Lior", "Khermosh", PM),
        ("Harshil", "Shah", PM), ("Yakov", "Goldberg", PM), ("Swaminathan", "Sundararaman", PM),
        ("Drew", "Roselli", PM), ("Nisha", "Talagala", PM)]),
    (27, "Low-latency Job Scheduling with Preemption for the Development of Deep Learning", S4, [
        ("Hidehito", "Yabuuchi", "The University of Tokyo"),
        ("Daisuke", "Taniwaki", "Preferred Networks, Inc."), ("Shingo", "Omura", "Preferred Networks, Inc.")]),
    (31, "tensorflow-tracing: A Performance Tuning Framework for Production", S4, [
        ("Sayed Hadi", "Hashemi", UIUC_NCSA), ("Paul", "Rausch", None), ("Benjamin", "Rabe", UIUC_NCSA),
        ("Kuan-Yen", "Chou", UIUC), ("Simeng", "Liu", UIUC_NCSA), ("Volodymyr", "Kindratenko", NCSA),
        ("Roy H", "Campbell", UIUC)]),
    (35, "Disdat: Bundle Data Management for Machine Learning Pipelines", S4, [
        ("Ken", "Yocum", INTUIT), ("Sean", "Rowan", INTUIT), ("Jonathan", "Lunt", INTUIT),
        ("Theodore M.", "Wong", "23andMe, Inc.")]),
    (39, "TonY: An Orchestrator for Distributed Machine Learning Jobs", S4, [
        ("Anthony", "Hsu", LINKEDIN), ("Keqiu", "Hu", LINKEDIN), ("Jonathan", "Hung", LINKEDIN),
        ("Arun", "Suresh", LINKEDIN), ("Zhe", "Zhang", LINKEDIN)]),
    (43, "Transfer Learning for Performance Modeling of Deep Neural Network Systems", S4, [
        ("Md Shahriar", "Iqbal", USC), ("Lars", "Kotthoff", "University of Wyoming"),
        ("Pooyan", "Jamshidi", USC)]),
    (47, "KnowledgeNet: Disaggregated and Distributed Training and Serving of Deep Neural Networks", S5, [
        ("Saman", "Biokaghazadeh", ASU), ("Yitao", "Chen", ASU), ("Kaiqi", "Zhao", ASU), ("Ming", "Zhao", ASU)]),
    (51, "Continuous Training for Production ML in the TensorFlow Extended (TFX) Platform", S5, [
        ("Denis", "Baylor", GR), ("Kevin", "Haas", GR), ("Konstantinos", "Katsiapis", GR),
        ("Sammy", "Leong", GR), ("Rose", "Liu", GR), ("Clemens", "Menwald", GR), ("Hui", "Miao", GR),
        ("Neoklis", "Polyzotis", GR), ("Mitchell", "Trott", GR), ("Martin", "Zinkevich", GR)]),
    (55, "Katib: A Distributed General AutoML Platform on Kubernetes", S5, [
        ("Jinan", "Zhou", CISCO), ("Andrey", "Velichkevich", CISCO), ("Kirill", "Prosvirov", CISCO),
        ("Anubhav", "Garg", CISCO), ("Yuji", "Oshima", "NTT Software Innovation Center"),
        ("Debo", "Dutta", CISCO)]),
    (59, "Stratum: A Serverless Framework for the Lifecycle Management of Machine Learning-based Data Analytics Tasks", S5, [
        ("Anirban", "Bhattacharjee", VU), ("Yogesh", "Barve", VU), ("Shweta", "Khare", VU),
        ("Shunxing", "Bao", VU), ("Aniruddha", "Gokhale", VU),
        ("Thomas", "Damiano", "Lockheed Martin Advanced Technology Labs")]),
]

# Citation keys as shipped; they never change.
KEYS = [
    "ananthanarayanan2019opportunities", "zhang2019accelerating", "lim2019mlop", "arun2019shooting",
    "soifer2019deep", "chai2019towards", "ghanta2019mpp", "yabuuchi2019lowlatency",
    "hashemi2019tensorflowtracing", "yocum2019disdat", "hsu2019tony", "iqbal2019transfer",
    "biookaghazadeh2019knowledgenet", "baylor2019continuous", "zhou2019katib", "bhattacharjee2019stratum",
]

# (first page, last page, where the last page came from) after the publisher's facts.
PAGES = [
    (1, 4, "inferred"), (5, 7, "publisher"), (9, 12, "inferred"), (13, 14, "inferred"),
    (15, 17, "publisher"), (19, 21, "publisher"), (23, 25, "publisher"), (27, 30, "publisher"),
    (31, 34, "inferred"), (35, 37, "publisher"), (39, 41, "publisher"), (43, 46, "publisher"),
    (47, 49, "publisher"), (51, 53, "publisher"), (55, 58, "inferred"), (59, None, None),
]
