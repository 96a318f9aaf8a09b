"""Demo content for Lantern: article categories and articles for people seeking help, and their families.

Plain data. Each article cites public sources (SAMHSA, NIDA, MedlinePlus, NIAAA, CDC). Bodies end without a
disclaimer: the site template adds the medical disclaimer, the phone numbers and the calls to action."""

import datetime as dt

CATEGORIES = [
    {
        "slug": "withdrawal",
        "name": "Withdrawal",
        "description": (
            "What withdrawal from alcohol, opioids and other substances can feel like, when it becomes "
            "dangerous, and how medical care makes it safer."
        ),
    },
    {
        "slug": "treatment",
        "name": "Treatment & Recovery",
        "description": (
            "How addiction treatment works, from detox and medications to residential and outpatient "
            "care, and what recovery can look like."
        ),
    },
    {
        "slug": "families",
        "name": "For Families",
        "description": (
            "Practical, compassionate guidance for parents, partners and friends supporting someone with "
            "a substance use disorder."
        ),
    },
    {
        "slug": "insurance-and-cost",
        "name": "Insurance & Cost",
        "description": (
            "Plain answers about health insurance, benefits checks and the ways to pay for addiction treatment."
        ),
    },
]

ARTICLES = [
    {
        "slug": "heroin-withdrawal-timeline",
        "title": "The Heroin Withdrawal Timeline: What to Expect and How to Get Through It Safely",
        "seo_title": "Heroin Withdrawal Timeline: Stages, Symptoms and Safe Detox",
        "seo_description": (
            "What heroin and opioid withdrawal feels like, roughly when symptoms start and fade, why "
            "going it alone is risky, and how medical detox helps."
        ),
        "summary": (
            "Opioid withdrawal is rarely life-threatening on its own, but it can be miserable and it "
            "raises the risk of overdose afterwards. Here is what to expect, stage by stage, and how "
            "medical care makes it safer."
        ),
        "category": "withdrawal",
        "tags": ["opioids", "heroin", "withdrawal", "detox"],
        "days_ago": 40,
        "body": """## Why withdrawal happens

When a person uses heroin or another opioid regularly, the brain and body adapt to having the drug on board. After
a while, the body needs it just to feel ordinary. Doctors call this physical dependence. It can develop whether
the opioid was bought on the street or prescribed by a doctor.

When the opioid is cut down or stopped, the body has to find its balance again. That rough adjustment period is
withdrawal. It is not a character flaw or a lack of willpower. It is a predictable physical process, and there is
good medical help for it.

## Is opioid withdrawal dangerous?

MedlinePlus, the National Library of Medicine's health site, describes opioid withdrawal as very uncomfortable but
generally not life-threatening. That is reassuring, but it does not mean withdrawal is safe to push through alone.
The real risks come from what can happen around it:

- **Dehydration.** Days of vomiting and diarrhea can drain the body of fluids and salts, which can become serious,
  especially for someone with heart or kidney problems.
- **Going back to using.** Cravings and discomfort lead many people to use again before the worst has passed.
- **Overdose after a break.** Even a short time without opioids lowers tolerance. Going back to a previous amount
  can then slow or stop breathing. With fentanyl now common in the drug supply, this risk is higher than ever.
- **Other substances.** Withdrawing from alcohol or from sedatives such as benzodiazepines at the same time can be
  dangerous and needs medical care.

If you are pregnant, please talk to a doctor before stopping opioids. Stopping suddenly during pregnancy carries
its own risks, and there are safe, well-established treatment options.

## The timeline, stage by stage

No two people go through withdrawal in exactly the same way. The opioid involved, how much and how long it was
used, overall health and any other substances all change the picture. Treat the stages below as a rough guide, not
a schedule.

### Stage 1: The first day

According to MedlinePlus, symptoms usually begin within 12 hours of the last heroin use. With a longer-acting
opioid such as methadone, they tend to start later, within about 30 hours. The early signs often feel like a bad
flu coming on:

- anxiety, restlessness or agitation
- aching muscles
- watery eyes and a runny nose
- sweating and frequent yawning
- trouble falling or staying asleep

### Stage 2: The hardest days

Over the next few days, symptoms usually build to their strongest point. Stomach problems often join in:

- cramps, nausea, vomiting and diarrhea
- chills and goose bumps
- enlarged pupils
- strong cravings, low mood and irritability

This is when people are most likely to give up and use again. It is also when medical and emotional support makes
the biggest difference.

### Stage 3: Turning a corner

After the peak, the physical symptoms slowly fade. Appetite returns, sleep starts to improve and the body feels
less raw. How quickly this happens varies a lot from one person to the next.

### Stage 4: The weeks that follow

Some people notice poor sleep, low energy, anxiety, low mood or cravings for weeks after the physical symptoms
settle. This is common. It is a reason to keep treatment going, not a sign that something has gone wrong.

## Fentanyl can change the picture

Many people today have been exposed to fentanyl, sometimes without knowing it. That can make withdrawal harder to
predict, and it can affect when medications such as buprenorphine can safely be started. Tell the medical team
everything you have been taking. They are there to keep you safe, not to judge you.

## How medical detox helps

In a supervised setting, a care team can:

- check vital signs and watch for dehydration
- offer buprenorphine or methadone to ease withdrawal and cravings
- give other medicines for nausea, diarrhea, aches and sleep
- look after any other health problems
- help you plan what comes next

Detox is a starting point rather than a complete treatment. NIDA, the National Institute on Drug Abuse, describes
both medications and behavioral therapies as effective for heroin use disorder, and many people do best with the
two together.

## When to get help right away

Call 911 if someone:

- is very hard to wake, or cannot be woken
- has slow, shallow or stopped breathing
- has blue or gray lips or fingertips
- has a seizure, chest pain or sudden confusion
- cannot keep any fluids down

If you think someone has overdosed on opioids, call 911 and give naloxone if you have it. If you or someone you
love is having thoughts of suicide or is in a mental-health crisis, call or text 988.

## You do not have to do this alone

If you are thinking about stopping, you can call us or ask for a confidential callback. We will listen, answer
your questions about detox and what comes after, and help you work out a safe plan. If you would rather talk to
someone outside our center first, SAMHSA's National Helpline (1-800-662-4357) is free, confidential and open
around the clock.""",
        "sources": [
            {
                "title": "Opiate and opioid withdrawal",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/ency/article/000949.htm",
                "accessed": dt.date(2026, 11, 2),
            },
            {
                "title": "Heroin DrugFacts",
                "publisher": "National Institute on Drug Abuse (NIDA)",
                "url": "https://nida.nih.gov/publications/drugfacts/heroin",
                "accessed": dt.date(2026, 11, 2),
            },
            {
                "title": "SAMHSA's National Helpline",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/find-help/helplines/national-helpline",
                "accessed": dt.date(2026, 11, 2),
            },
        ],
    },
    {
        "slug": "medications-for-opioid-use-disorder",
        "title": "Medications for Opioid Use Disorder: Buprenorphine, Methadone and Naltrexone Explained",
        "seo_title": "Buprenorphine, Methadone and Naltrexone: MOUD Explained",
        "seo_description": (
            "How the three FDA-approved medications for opioid use disorder work, how they differ, honest "
            "answers to common worries, and how to choose with your care team."
        ),
        "summary": (
            "Three FDA-approved medications help people with opioid use disorder stay alive and stay in "
            "recovery. Here is how buprenorphine, methadone and naltrexone work, and how they differ."
        ),
        "category": "treatment",
        "tags": ["opioids", "medications", "buprenorphine", "methadone", "naltrexone"],
        "days_ago": 75,
        "body": """## Medication is treatment, not a shortcut

Opioid use disorder is a medical condition. Over time, opioids change the brain systems that handle reward, stress
and self-control, which is why stopping can feel impossible even when a person badly wants to. Like many long-term
health conditions, it often responds best to medication combined with counseling and practical support.

The U.S. Food and Drug Administration has approved three medications for opioid use disorder: **buprenorphine**,
**methadone** and **naltrexone**. SAMHSA is clear that these are proven treatments, not a matter of trading one
drug for another. The research SAMHSA summarizes links them to better survival, to people staying in treatment
longer, and to less illegal opioid use.

You may see this called MOUD (medications for opioid use disorder) or MAT (medication-assisted treatment). Both
mean the same approach.

## How they work, in plain language

Opioids act on receptors in the brain. Each of the three medications works on those same receptors, in a different
way:

- **Methadone** switches the receptors on fully, but slowly and steadily, so there are no sharp highs and crashes.
- **Buprenorphine** switches them on only partly. That is enough to calm withdrawal and cravings, and its effect
  levels off at higher doses, which lowers some risks.
- **Naltrexone** blocks the receptors, so opioids have little or no effect. It does not cause physical dependence.

### Buprenorphine

Buprenorphine usually comes as a film or tablet that dissolves under the tongue or inside the cheek. Long-acting
injections given by a clinician are also available. Many products combine it with naloxone to discourage misuse.

It can be prescribed in ordinary medical offices and clinics as well as in opioid treatment programs, which makes
it easier to fit around work and family. The first dose is timed carefully: taken too soon after the last opioid,
it can set off sudden withdrawal. Your prescriber will guide you through this.

### Methadone

Methadone is usually taken by mouth once a day, often as a liquid. When it is used for opioid use disorder, it is
given through certified opioid treatment programs. Most people visit the program often at first, and some become
eligible for take-home doses as treatment goes on.

Because methadone builds up in the body gradually, the dose is adjusted slowly and the first weeks are closely
watched. That care is part of what makes it safe.

### Naltrexone

For opioid use disorder, naltrexone is most often given as an injection once a month. A person needs to be fully
off opioids before the first dose, so it usually starts after detox. Starting earlier can trigger sudden, intense
withdrawal. Naltrexone is also used to treat alcohol use disorder.

## A quick comparison

| Medication | How it is taken | Where you get it |
| --- | --- | --- |
| Buprenorphine | Film or tablet, or a long-acting injection | Medical offices, clinics, treatment programs |
| Methadone | By mouth, usually daily | Certified opioid treatment programs |
| Naltrexone | Monthly injection, or a daily pill | Any clinician licensed to prescribe |

## Common worries, honestly answered

### "Isn't this just trading one drug for another?"

No. Addiction means compulsive use that continues despite harm. Taking a prescribed medication at a steady dose,
as part of a treatment plan, is different. Methadone and buprenorphine do cause physical dependence, as many
everyday long-term medicines do, but dependence on its own is not addiction.

### "How long will I need it?"

There is no set timeline. Many people do best staying on medication for a long time, and stopping early raises the
chance of returning to opioid use. Any change should be a planned decision with your prescriber, usually with a
slow taper.

### "Is it safe with other substances?"

Mixing opioid medications with alcohol, benzodiazepines or sleeping pills can dangerously slow breathing. Tell
your care team about everything you take, including supplements.

### "What if I stop?"

After any break from opioids, including after stopping naltrexone, tolerance drops. Using a previous amount can
then cause an overdose. Keep naloxone at home whatever medication you choose, and make sure the people around you
know where it is.

## Choosing what fits you

There is no single right answer. The best choice depends on your history, your health, whether you are pregnant,
how easily you can get to a clinic, and what you want from treatment. Methadone and buprenorphine can both be used
during pregnancy, and SAMHSA notes that medication treatment is linked to better birth outcomes.

A good care team will explain every option, respect your preferences, and revisit the plan if something is not
working.

## Talk it through with us

If you have questions about which medication might suit you, you can call us or ask for a confidential callback.
In an emergency, call 911. If you are in a mental-health or suicidal crisis, call or text 988.""",
        "sources": [
            {
                "title": "Substance Use Disorder Treatment Options",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/substance-use/treatment/options",
                "accessed": dt.date(2026, 11, 2),
            },
            {
                "title": "Medications to Treat Opioid Use Disorder Research Report",
                "publisher": "National Institute on Drug Abuse (NIDA)",
                "url": (
                    "https://nida.nih.gov/publications/research-reports/medications-to-treat-opioid-addiction/overview"
                ),
                "accessed": dt.date(2026, 11, 2),
            },
            {
                "title": "Opioid Misuse and Addiction",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/opioidmisuseandaddiction.html",
                "accessed": dt.date(2026, 11, 2),
            },
        ],
    },
    {
        "slug": "levels-of-care-explained",
        "title": "Levels of Care Explained: From Medical Detox to Outpatient Treatment",
        "seo_title": "Addiction Treatment Levels of Care: Detox, Residential, PHP, IOP",
        "seo_description": (
            "A plain-language guide to medical detox, residential treatment, partial hospitalization "
            "(PHP), intensive outpatient (IOP) and outpatient care."
        ),
        "summary": (
            "Addiction treatment is not one-size-fits-all. This guide explains each level of care, from "
            "medically managed detox to regular outpatient sessions, and how clinicians help match care "
            "to a person's needs."
        ),
        "category": "treatment",
        "tags": ["levels of care", "detox", "residential", "php", "iop", "outpatient"],
        "days_ago": 110,
        "body": """## Why there are different levels of care

People arrive at treatment from very different places. Some need round-the-clock medical care to get through
withdrawal safely. Others need a few hours of support each week while they keep working and living at home. That
is why treatment comes in levels, from most intensive to least.

NIDA's research-based principles of addiction treatment make a few points worth keeping in mind:

- no single treatment is right for everyone
- staying in treatment long enough matters
- detox gets a person safely through withdrawal, but by itself it is a first step, not a complete treatment

Most people do not stay at one level. It is common to start with more support and step down as things stabilize,
or to step up for a while if things get harder.

## Medically managed detox (withdrawal management)

**What it is:** round-the-clock medical care while the body clears alcohol or drugs.

**Who it may suit:** people at risk of severe or complicated withdrawal, such as after heavy daily drinking or
sedative use, anyone who has had withdrawal seizures before, and people with serious physical or mental health
conditions.

**What happens:** a medical assessment, regular checks of vital signs, medications to ease symptoms and prevent
complications, rest, food and fluids. The team also starts planning the next step with you. A detox stay is
usually measured in days, not weeks.

## Residential treatment

**What it is:** you live at the treatment center and follow a structured daily schedule.

**What happens:** individual and group therapy, education about substance use and recovery, medication management,
family involvement and practice with everyday recovery skills.

**Who it may suit:** people who need distance from an environment that makes recovery hard, whose home is unsafe
or unstable, or for whom less intensive treatment has not been enough. How long someone stays depends on their
progress, not on a fixed number of days.

## Partial hospitalization (PHP)

**What it is:** treatment for most of the day, on most weekdays, while you sleep at home or in a sober living
home. It is sometimes called day treatment.

**Who it may suit:** people who need a lot of structure and clinical support but have a safe, stable place to
live. It is also a common step down after residential care.

## Intensive outpatient (IOP)

**What it is:** several hours of treatment a day, a few days a week. Many programs offer evening sessions.

**What happens:** group therapy is usually at the center, along with individual counseling and medication
management.

**Who it may suit:** people who can stay safe at home and want to keep up with work, school or family life while
getting real support.

## Outpatient care

**What it is:** regular sessions, often weekly, with a counselor, therapist or prescriber.

**What happens:** ongoing therapy, medication management (including medications for opioid or alcohol use
disorder), and help staying on track over the long term.

**Who it may suit:** people with milder concerns, or those who have finished a more intensive program and want
continuing care.

## At a glance

| Level of care | Where you sleep | How intensive |
| --- | --- | --- |
| Medically managed detox | At the facility | Round-the-clock medical care |
| Residential | At the facility | A full, structured program every day |
| Partial hospitalization | At home or sober living | Most of the day, most weekdays |
| Intensive outpatient | At home | A few hours, a few days a week |
| Outpatient | At home | Regular sessions, often weekly |

## Medication fits into every level

Medications for opioid and alcohol use disorder are not limited to one setting. They can be started in detox and
continued through residential, PHP, IOP and outpatient care. SAMHSA describes medication combined with counseling
and behavioral therapy as a whole-person approach to treatment.

## How the right level is chosen

A clinician will usually look at several areas of a person's life, including:

- the risk of difficult withdrawal
- physical health
- mental health, including any thoughts of self-harm
- how ready the person feels to make changes
- the risk of returning to use
- home life, relationships and support

The result is a recommendation, not a label. Your needs will change, and your care should change with them.

## Questions worth asking any program

- Do you offer all the FDA-approved medications for opioid and alcohol use disorder?
- Is the program licensed, and who are the clinicians?
- How do you treat mental health conditions alongside substance use?
- How are families involved?
- What happens when this level of care ends?

## Not sure where to start?

You do not have to work this out on your own. You can call us or ask for a confidential callback, and we will talk
through what might fit. If our center is not the right match, SAMHSA's free National Helpline (1-800-662-4357) and
FindTreatment.gov can point you to other options. In an emergency, call 911. In a mental-health or suicidal
crisis, call or text 988.""",
        "sources": [
            {
                "title": "Principles of Drug Addiction Treatment: A Research-Based Guide (Third Edition)",
                "publisher": "National Institute on Drug Abuse (NIDA)",
                "url": (
                    "https://nida.nih.gov/publications/principles-drug-addiction-treatment-research-based-guide-third-edition"
                ),
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "Substance Use Disorder Treatment Options",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/substance-use/treatment/options",
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "FindTreatment.gov",
                "publisher": "SAMHSA",
                "url": "https://findtreatment.gov/",
                "accessed": dt.date(2026, 11, 3),
            },
        ],
    },
    {
        "slug": "how-insurance-verification-works",
        "title": "How Insurance Verification Works for Addiction Treatment",
        "seo_title": "How Insurance Verification for Addiction Treatment Works",
        "seo_description": (
            "What a free benefits check looks at (coverage, deductible, out-of-pocket maximum, "
            "coinsurance, copays, prior authorization, network) and what you need."
        ),
        "summary": (
            "A verification of benefits shows what your health plan is likely to cover before treatment "
            "starts. It is free, needs only a few details, and does not commit you to anything."
        ),
        "category": "insurance-and-cost",
        "tags": ["insurance", "cost", "verification of benefits"],
        "days_ago": 20,
        "body": """## What is a verification of benefits?

Worrying about cost is one of the most common reasons people put off treatment. A verification of benefits, often
shortened to VOB, is a way to get real answers before you decide anything.

With your permission, our admissions team contacts your health plan, electronically or by phone, to find out what
your plan covers for substance use treatment and what your share of the cost is likely to be. We then explain the
results to you in plain language.

Three things are worth knowing up front:

- **It is free.** There is no charge for checking your benefits.
- **It commits you to nothing.** You can ask questions, think it over, and decide later, or not at all.
- **It is an inquiry, not a claim.** Checking your benefits does not bill your plan for anything.

## What the check looks at

### Active coverage

First, we confirm that your plan is active today and which dates it covers. Coverage can lapse after a job change
or a missed premium, so this is worth checking even if you think you know the answer.

### Your deductible

The deductible is the amount you pay for covered care each plan year before your plan starts to share the cost. We
look at how big it is and how much of it you have already met this year.

### Your out-of-pocket maximum

This is the most you would pay for covered, in-network care in a plan year. Once you reach it, your plan generally
pays the full cost of covered services for the rest of that year. For treatment that lasts several weeks, this
number often matters more than any other.

### Coinsurance

Coinsurance is your share of the cost after the deductible, expressed as a percentage of the amount your plan
allows for a service.

### Copays

A copay is a fixed amount you pay for certain services, such as an office visit or a prescription.

### Prior authorization

Some plans must approve certain kinds of care in advance, especially detox, residential treatment and partial
hospitalization. Our team usually handles this request with the plan, using information from your clinical
assessment. Approvals often cover a set period and are then reviewed as treatment goes on.

### In-network or out-of-network

An in-network provider has a contract with your plan, which usually means lower costs for you. Out-of-network care
often costs more, and some plans do not cover it at all except in emergencies. We will tell you which applies.

### Which levels of care are covered

We also check how your plan treats each level of care, from detox to outpatient, and whether any limits apply.

## What you need to get started

- your insurance card (a photo of the front and back helps)
- the member ID, and the group number if there is one
- your date of birth
- if the plan belongs to someone else, such as a parent or spouse, that person's name and date of birth

You do not need a diagnosis, a referral or a decision about treatment to ask for a check.

## What the results can and cannot tell you

A benefits check gives you a good estimate, not a guarantee. What your plan finally pays depends on its rules, its
review of medical need, and the claims submitted after care is given. Plans can also change, for example at the
start of a new plan year. We will be clear about what is confirmed and what is an estimate, and you are always
welcome to call your plan yourself to double-check.

## Your privacy

We use your information only to check your coverage and to follow up with you about it. One thing to know: if you
are covered under someone else's plan, the policyholder may receive statements from the insurer about care that
was billed. If that worries you, ask your plan about its options for confidential communications.

## If you have no insurance or limited coverage

- **Medicaid** covers substance use treatment, though the details vary from state to state. If you were turned
  down before, it can be worth checking again, because rules and circumstances change.
- **SAMHSA's National Helpline** (1-800-662-4357) can point people without insurance, or with limited coverage, to
  state-funded programs and to facilities that use a sliding fee scale or accept Medicare or Medicaid.
- **FindTreatment.gov** lets you search for treatment by location and by the kinds of payment a facility accepts.

Federal parity law also generally requires health plans that cover mental health and substance use care to cover
it no more restrictively than medical and surgical care.

## Ready when you are

You can use our insurance verification form, call us, or ask for a confidential callback. There is no pressure,
and asking questions is always free. If you are in danger right now, call 911. For a mental-health or suicidal
crisis, call or text 988.""",
        "sources": [
            {
                "title": "SAMHSA's National Helpline",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/find-help/helplines/national-helpline",
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "FindTreatment.gov",
                "publisher": "SAMHSA",
                "url": "https://findtreatment.gov/",
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "Health Insurance",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/healthinsurance.html",
                "accessed": dt.date(2026, 11, 3),
            },
        ],
    },
    {
        "slug": "supporting-a-loved-one",
        "title": "How to Support a Loved One With a Substance Use Disorder Without Losing Yourself",
        "seo_title": "Supporting a Loved One With Addiction: A Practical Guide",
        "seo_description": (
            "Compassionate, practical ways to help someone with a substance use disorder: naloxone, "
            "healthy boundaries, the CRAFT approach, self-care and family groups."
        ),
        "summary": (
            "Loving someone with a substance use disorder can be exhausting and frightening. These "
            "practical steps, from keeping naloxone at hand to setting boundaries and trying CRAFT, can "
            "help you both."
        ),
        "category": "families",
        "tags": ["families", "naloxone", "boundaries", "craft", "self-care"],
        "days_ago": 60,
        "body": """## First: this is not your fault

If someone you love has a substance use disorder, you have probably lain awake wondering what you did wrong, or
what you could have done differently. Please hear this: you did not cause their illness, and you cannot force it
away. A substance use disorder is a health condition, not a moral failing, on their part or yours.

What you *can* do is make it safer, keep the door to help open, and protect your own health along the way.

## Be ready for an overdose

If your loved one uses opioids, or any drug that could contain fentanyl, keep naloxone in your home and learn how
to use it. Naloxone, sold under brand names such as Narcan, can reverse an opioid overdose. NIDA notes that nasal
spray versions can be given by anyone, and some are sold without a prescription.

Possible signs of an opioid overdose:

- they cannot be woken, or do not respond to your voice or touch
- breathing is very slow, shallow or has stopped
- lips or fingertips look blue or gray
- pupils are very small
- they make choking, gurgling or snoring sounds

If you think someone is overdosing:

1. Call 911.
2. Give naloxone, following the instructions on the package.
3. Keep trying to rouse them. If they are breathing, roll them onto their side so they cannot choke.
4. Stay with them. Naloxone can wear off before the opioid does, so the overdose can come back. If they do not
   respond after a couple of minutes, give another dose if you have one.

Naloxone will not harm someone who has not taken opioids, so if you are unsure, give it. Many states also have
laws that offer some legal protection to people who call for help during an overdose.

## Talk in ways that keep the door open

- Pick a calm moment, not when they are intoxicated or when you are furious.
- Start with care: "I love you and I'm worried about you."
- Describe what you have seen rather than labeling them.
- Listen more than you talk, and expect mixed feelings.
- Remember it is rarely one big conversation. It is many small ones.

## Boundaries: caring without carrying everything

A boundary is about what *you* will and will not do, not about controlling the other person. Some examples:

- "I won't give you cash, but I'll drive you to an appointment."
- "I'm not going to call your boss to cover for you."
- "Alcohol and drugs aren't allowed in our home."

Say it calmly, and follow through. Letting your loved one face the natural results of their choices is not
abandoning them, though safety always comes first. If you ever feel threatened, leave and call 911.

## Try CRAFT

CRAFT (Community Reinforcement and Family Training) is a structured approach designed for families whose loved one
is not yet ready for treatment. Instead of confrontation, it teaches practical skills:

- noticing the patterns and triggers around their use
- communicating in ways that lower defensiveness
- making time without substances more rewarding
- stepping back so that use, rather than your rescuing, carries the consequences
- choosing good moments to suggest treatment
- looking after your own wellbeing

CRAFT has been studied in clinical trials, and it has helped many families encourage a reluctant loved one to
start treatment, while easing their own stress. Some therapists are trained in it, and SMART Recovery Family &
Friends groups draw on it.

## Look after yourself too

Living with someone's substance use can wear you down. Your health matters in its own right:

- keep up with sleep, meals and your own medical care
- stay connected with friends and things you enjoy
- consider counseling for yourself
- find people who understand

**Al-Anon** (for families and friends of people who drink) and **Nar-Anon** (for families and friends of people
who use drugs) are free peer support groups that meet in person and online. Many people find comfort in hearing
from others who have been through the same thing.

If you are struggling with thoughts of suicide, or feel you cannot cope, call or text 988. Support is there for
you as well.

## When they are ready, or when you need to talk

You can call us or ask for a confidential callback, whether you want to talk about treatment for your loved one or
simply need advice. SAMHSA's National Helpline (1-800-662-4357) is also free, confidential and open around the
clock for families. In an emergency, always call 911.""",
        "sources": [
            {
                "title": "Overdose Reversal Medications",
                "publisher": "National Institute on Drug Abuse (NIDA)",
                "url": "https://nida.nih.gov/research-topics/overdose-reversal-medications",
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "Lifesaving Naloxone",
                "publisher": "Centers for Disease Control and Prevention (CDC)",
                "url": "https://www.cdc.gov/stop-overdose/caring/naloxone.html",
                "accessed": dt.date(2026, 11, 3),
            },
            {
                "title": "SAMHSA's National Helpline",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/find-help/helplines/national-helpline",
                "accessed": dt.date(2026, 11, 3),
            },
        ],
    },
    {
        "slug": "post-acute-withdrawal-paws",
        "title": "Post-Acute Withdrawal (PAWS): What We Know, What We Don't, and How to Cope",
        "seo_title": "Post-Acute Withdrawal (PAWS): Symptoms, Evidence and Coping",
        "seo_description": (
            "Sleep trouble, low mood and cravings can linger after detox. An honest look at post-acute "
            "withdrawal: what research shows, what is uncertain, and what helps."
        ),
        "summary": (
            "Many people still feel off for weeks or months after detox. Here is an honest look at "
            "post-acute withdrawal: what the term means, how strong the evidence is, and practical ways "
            "to cope."
        ),
        "category": "withdrawal",
        "tags": ["paws", "withdrawal", "recovery", "sleep", "cravings"],
        "days_ago": 12,
        "body": """## Feeling "not quite right" after detox

The shakes, sweats and sickness of acute withdrawal have passed. You expected to feel better by now, but you don't
feel like yourself. Sleep is patchy, your mood swings, your head feels foggy and cravings still arrive out of
nowhere.

If that sounds familiar, you are not imagining it, and you are far from alone. Lingering symptoms like these are
often called **post-acute withdrawal syndrome (PAWS)**, or **protracted withdrawal**.

## What the term means, and its limits

It is worth being honest about what is and is not known.

- **It is not a formal diagnosis.** PAWS is not listed as a diagnosis in the main diagnostic manual used by U.S.
  clinicians. It is a descriptive term that treatment providers use.
- **The research is limited.** Studies use different definitions and look at different substances, so firm answers
  about how common it is, or exactly how long it lasts, are not available.
- **Symptoms overlap with other things.** Depression, anxiety, sleep disorders, stress, and the health effects of
  past substance use can all look similar.

What is well supported is that recovery does not end when acute withdrawal does. SAMHSA's advisory on protracted
withdrawal describes symptoms such as sleep problems, low or anxious mood, trouble controlling impulses and
cravings that can continue or appear well after the expected withdrawal period. It notes that they vary from
person to person and can last weeks, months or sometimes longer. MedlinePlus likewise notes that alcohol
withdrawal symptoms may go on for weeks. According to NIAAA, heavy drinking can change the brain in ways that
persist and make a return to drinking more likely.

So be wary of anyone online who promises an exact timeline. Your own experience is what counts.

## Symptoms people commonly describe

- trouble falling or staying asleep, or vivid dreams
- low mood, irritability or anxiety
- tiredness and low energy
- poor concentration or memory, sometimes described as brain fog
- finding less enjoyment in everyday things
- cravings, especially under stress
- feeling easily overwhelmed

Many people notice that these symptoms come and go in waves rather than fading in a straight line. A bad week does
not wipe out your progress.

## When it might be something else

Please don't write everything off as "just PAWS." Tell a clinician if your symptoms are severe, getting worse, or
making it hard to manage daily life. Depression, anxiety disorders, trauma-related conditions and physical health
problems are common alongside substance use, and they are treatable in their own right. The SAMHSA advisory also
stresses the importance of telling lingering withdrawal apart from a mental health condition that needs its own
assessment and care.

If you have thoughts of suicide or self-harm, call or text 988 right away. If you are in immediate danger,
call 911.

## What tends to help

### Keep treatment going

Counseling, peer support and recovery groups give you a place to bring these symptoms instead of carrying them
alone. Medications for alcohol or opioid use disorder can also reduce cravings. Ask your prescriber whether one
might help you.

### Protect your sleep

- keep regular wake-up and bed times, even after a bad night
- get daylight in the morning
- cut back on caffeine later in the day
- avoid using alcohol, cannabis or someone else's pills as a sleep aid

If insomnia continues, ask about treatment. There are effective options that do not involve habit-forming
medication.

### Look after your body

Regular meals, water and some movement each day, even a short walk, can help with energy, mood and stress. Start
small and build up.

### Have a plan for cravings

Cravings usually rise, peak and pass. It can help to:

- delay acting on the urge, even by a few minutes at a time
- change your surroundings or do something absorbing
- call or text someone in your support network
- notice what set the craving off, so you can plan for it next time

### Be patient with your brain

Healing takes time. Many people find their sleep, focus and mood improve gradually as recovery goes on. Feeling
rough for a while is not a sign that treatment has failed.

## If you do return to use

A return to use does not erase everything you have gained. Reach out as soon as you can, and be honest with your
care team. If opioids are involved, remember that tolerance falls quickly after a break, which raises the risk of
overdose. Keep naloxone nearby.

## Talk to us

If lingering symptoms are wearing you down, you can call us or ask for a confidential callback. We can talk
through what you are feeling and what support might help.""",
        "sources": [
            {
                "title": "Protracted Withdrawal (Substance Abuse Treatment Advisory)",
                "publisher": "SAMHSA",
                "url": "https://store.samhsa.gov/product/protracted-withdrawal/sma10-4554",
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Alcohol withdrawal",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/ency/article/000764.htm",
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Understanding Alcohol Use Disorder",
                "publisher": "National Institute on Alcohol Abuse and Alcoholism (NIAAA)",
                "url": (
                    "https://www.niaaa.nih.gov/publications/brochures-and-fact-sheets/understanding-alcohol-use-disorder"
                ),
                "accessed": dt.date(2026, 11, 4),
            },
        ],
    },
    {
        "slug": "alcohol-withdrawal-dangers",
        "title": "Why Alcohol Withdrawal Can Be Dangerous: Seizures, Delirium Tremens and When to Get Help",
        "seo_title": "Alcohol Withdrawal Dangers: Seizures, DTs and When to Call 911",
        "seo_description": (
            "Stopping heavy daily drinking suddenly can cause seizures and delirium tremens. Learn the "
            "warning signs, who is most at risk, and why medical detox matters."
        ),
        "summary": (
            "For a person who drinks heavily every day, stopping suddenly can be dangerous. Learn the "
            "warning signs of severe alcohol withdrawal, when to call 911, and how medical detox keeps "
            "people safe."
        ),
        "category": "withdrawal",
        "tags": ["alcohol", "withdrawal", "detox", "seizures", "delirium tremens"],
        "days_ago": 5,
        "body": """## Why stopping suddenly can be risky

Alcohol slows the brain down. When someone drinks heavily day after day, the brain pushes back by running its own
systems harder to stay in balance. If the alcohol is suddenly taken away, the brain is left running too fast. That
over-excited state is alcohol withdrawal.

Not everyone who stops drinking has serious withdrawal. But for a person who has been drinking heavily every day,
or nearly every day, for a long time, it can be more than unpleasant. It can be life-threatening.

## What withdrawal usually looks like

MedlinePlus explains that alcohol withdrawal symptoms usually begin within 8 hours of the last drink, though they
can start days later. They usually peak between 24 and 72 hours, and some can go on for weeks.

### Milder symptoms

- shaky hands or trembling
- sweating or clammy skin
- anxiety, irritability or feeling jumpy
- nausea, vomiting or loss of appetite
- headache
- trouble sleeping or nightmares
- a fast heartbeat

### Severe symptoms

- seizures
- seeing, hearing or feeling things that are not there
- severe confusion
- fever
- delirium tremens

## Withdrawal seizures

Seizures can happen during alcohol withdrawal, sometimes before any other severe sign appears. They can happen to
people who have never had a seizure before. A seizure is always a reason to call 911.

## Delirium tremens (DTs)

Delirium tremens is the most severe form of alcohol withdrawal. It is a medical emergency. According to
MedlinePlus, it most often starts 48 to 96 hours after the last drink, but it can appear as late as 7 to 10 days
afterward. That is one reason a person can seem to be over the worst and then become very unwell.

Warning signs include:

- sudden, severe confusion or not knowing where they are
- extreme agitation or fear
- hallucinations
- fever, heavy sweating and a racing heart
- deep sleep that lasts a day or more, or being very hard to wake

With prompt treatment in a hospital or medically managed setting, the risks can be greatly reduced.

## Who is at higher risk

- people who have been drinking heavily every day for a long time
- anyone who has had withdrawal seizures or DTs before
- people who have been through withdrawal several times
- people with liver disease, heart problems, an infection or other serious illness
- older adults
- people who also use benzodiazepines or other sedatives

It is hard to predict exactly who will develop severe withdrawal. That is why a medical assessment matters.

## Please don't stop alone

If you drink heavily every day, talk to a medical professional before you stop. That does not mean you have to
keep drinking. It means you deserve a safe plan.

Depending on your risk, that plan might be a stay in medically managed detox or carefully supervised outpatient
treatment. MedlinePlus notes that milder withdrawal can often be treated without a hospital stay, while more
severe symptoms may need care in a hospital. A care team can:

- assess your risk and check your vital signs regularly
- give medications that prevent seizures and DTs and ease symptoms
- give thiamine (vitamin B1), fluids and nutrition
- treat other health problems that alcohol may have caused or hidden

Please don't try to manage withdrawal with leftover pills or someone else's prescription. Mixing alcohol with
sedatives can slow breathing dangerously.

## When to call 911

Call 911 right away if you or someone with you:

- has a seizure
- is severely confused or cannot be woken
- is seeing or hearing things and is very agitated
- has chest pain, a very fast or irregular heartbeat, or a high fever
- is vomiting repeatedly and cannot keep fluids down

If you or someone you love is having thoughts of suicide, call or text 988.

## After withdrawal: the next step

Getting safely through withdrawal is a big step, but it is only the start. NIAAA's message here is a hopeful one:
even when alcohol use disorder is severe, people can and do recover with proven help, such as talking therapies,
peer support groups and medication. FDA-approved medications such as naltrexone, acamprosate and disulfiram can be
part of that plan. NIAAA's Alcohol Treatment Navigator can also help you understand your options.

## Talk to us before you stop

If you are thinking about cutting back or quitting, you can call us or ask for a confidential callback. We will
help you work out the safest way to do it.""",
        "sources": [
            {
                "title": "Alcohol withdrawal",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/ency/article/000764.htm",
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Delirium tremens",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/ency/article/000766.htm",
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Understanding Alcohol Use Disorder",
                "publisher": "National Institute on Alcohol Abuse and Alcoholism (NIAAA)",
                "url": (
                    "https://www.niaaa.nih.gov/publications/brochures-and-fact-sheets/understanding-alcohol-use-disorder"
                ),
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "NIAAA Alcohol Treatment Navigator",
                "publisher": "National Institute on Alcohol Abuse and Alcoholism (NIAAA)",
                "url": "https://alcoholtreatment.niaaa.nih.gov/",
                "accessed": dt.date(2026, 11, 4),
            },
        ],
    },
    {
        "slug": "what-to-expect-at-detox-intake",
        "title": "What to Expect at Detox Intake: Your First Hours, Step by Step",
        "seo_title": "What to Expect at Detox Intake: Assessment, Packing, Privacy",
        "seo_description": (
            "A calm walk-through of detox admission: the assessment, vital signs and tests, what to pack, "
            "what to leave at home, and how your privacy is protected."
        ),
        "summary": (
            "Walking into detox for the first time can feel frightening. This step-by-step guide explains "
            "the intake assessment, what to bring and leave at home, and how your privacy is protected."
        ),
        "category": "treatment",
        "tags": ["detox", "intake", "admissions", "privacy"],
        "days_ago": 30,
        "body": """## It is normal to feel nervous

Deciding to go to detox takes courage. Not knowing what will happen when you walk through the door can make it
feel even harder. This guide walks through a typical intake so there are fewer surprises. Every program works a
little differently, and our admissions team will explain how things work here.

## Before you arrive

Most admissions start with a phone conversation. You will be asked some short questions, such as:

- which substances you use, how much and how often
- when you last used or drank
- any health conditions and current medications
- your insurance details, if you have insurance

Honest answers help the team get ready for you. Nobody is keeping score.

Please don't drive yourself if you have been drinking or using, or if you are already in withdrawal. Ask someone
to bring you, or ask us about options. If you have a seizure, become confused or feel seriously unwell before you
arrive, call 911.

## Step by step: what happens at intake

### 1. Welcome and paperwork

You will be asked for photo ID and your insurance card, and you will go through some forms, including consent to
treatment and a notice explaining your privacy rights. Staff can explain anything that is not clear. Take your
time.

### 2. A medical and substance use assessment

A nurse or doctor will ask about:

- what you have been using, how much, for how long, and when you last used
- past withdrawal, including any seizures or delirium tremens
- physical health conditions and medications
- mental health, including whether you have had thoughts of suicide (this is asked of everyone)
- pregnancy, if it could apply to you

The team may use standard withdrawal rating scales to measure how you are doing and to guide medication.

### 3. Vital signs and a physical check

Expect checks of blood pressure, heart rate, temperature, breathing and oxygen level, plus a physical exam. You
may also be asked for blood tests, a urine drug test, a breath alcohol test or a pregnancy test. These are for
your safety and to guide your care, not to catch you out.

### 4. Your belongings

For everyone's safety, staff will go through your bags with you. It is done respectfully and is standard practice
in detox settings.

### 5. A plan for the first days

You will hear how often you will be checked, which medications may be used to ease symptoms, and what happens with
meals and rest. Planning for the next step after detox starts early too, because detox is the beginning of
treatment, not the whole of it.

## Honesty keeps you safe

It can feel uncomfortable to say exactly what you have been taking. But the combination matters a great deal.
Mixing alcohol, benzodiazepines and opioids, for example, changes what care you need. The team has heard it all
before, and the information is used to keep you safe.

## What to bring

- photo ID and your insurance card
- a list of your current medications and doses, with the medications in their original labeled containers
- names and numbers for an emergency contact and your regular doctor, written down
- a few days of comfortable clothes, with layers for chills and sweats
- non-slip shoes or slippers
- basic toiletries that do not contain alcohol
- something comforting, such as a book, a journal or photos

Policies on phones, chargers and money vary, so check with our admissions team before you come.

## What to leave at home

- alcohol, drugs and anything used to take them
- products that contain alcohol, such as some mouthwashes and hand sanitizers
- weapons of any kind, including pocket knives
- supplements or medications that are not on your list (ask first)
- jewelry, large amounts of cash and other valuables

If you forget something important, tell us. It can usually be sorted out.

## Your privacy

Your health information is protected by federal privacy law. Records from substance use treatment programs have
extra protection under a federal rule known as 42 CFR Part 2. In general, a program like ours needs your written
consent before sharing information that identifies you as a patient, with limited exceptions such as a medical
emergency.

You decide who we may talk to, whether that is family, an employer or another doctor. Without your permission, we
will not confirm to a caller that you are here.

## When you are ready

If you have questions about admission, you can call us or ask for a confidential callback. In an emergency,
call 911. If you are in a mental-health or suicidal crisis, call or text 988.""",
        "sources": [
            {
                "title": "Principles of Drug Addiction Treatment: A Research-Based Guide (Third Edition)",
                "publisher": "National Institute on Drug Abuse (NIDA)",
                "url": (
                    "https://nida.nih.gov/publications/principles-drug-addiction-treatment-research-based-guide-third-edition"
                ),
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Substance Use Disorder Treatment Options",
                "publisher": "SAMHSA",
                "url": "https://www.samhsa.gov/substance-use/treatment/options",
                "accessed": dt.date(2026, 11, 4),
            },
            {
                "title": "Alcohol withdrawal",
                "publisher": "MedlinePlus (U.S. National Library of Medicine)",
                "url": "https://medlineplus.gov/ency/article/000764.htm",
                "accessed": dt.date(2026, 11, 4),
            },
        ],
    },
]
