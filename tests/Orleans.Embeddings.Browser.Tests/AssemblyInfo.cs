// One host and one browser serve every test, one test at a time: the machine has two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
