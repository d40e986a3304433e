// The tests share one fake Clarifai server and one cluster; on a 2-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
