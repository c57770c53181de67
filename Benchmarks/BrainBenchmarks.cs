using BenchmarkDotNet.Attributes;
using Cortex.Benchmarks.Quick;

namespace Cortex.Benchmarks;

/// <summary><see cref="Brain.Predict"/> of the 32-64-64-8 agent network at batch 1, 64 and 1024, on 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class PredictBenchmarks
{
    private Brain? _brain;
    private MlpSuite.Predict _predict;

    [Params(1, 64, 1024)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _brain = Models.AgentBrain(1024, Threads);
        _predict = new MlpSuite.Predict(_brain, Batch);
    }

    [GlobalCleanup]
    public void Cleanup() => _brain?.Dispose();

    [Benchmark]
    public void Predict() => _predict.Invoke();
}

/// <summary>One <see cref="Brain.Train(System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, int)"/> step (SGD) of the quick-mode networks, on 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class TrainBenchmarks
{
    private Brain? _brain;
    private MlpSuite.TrainStep _step;

    /// <summary>"784-256-256-10" (ReLU, softmax cross-entropy) or "32-64-64-8" (tanh, MSE).</summary>
    [Params("784-256-256-10", "32-64-64-8")]
    public string Network { get; set; } = "";

    [Params(64, 256)]
    public int Batch { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        bool mnist = Network == "784-256-256-10";
        _brain = mnist ? Models.MnistBrain(Batch, Threads) : Models.AgentBrain(Batch, Threads);
        _step = new MlpSuite.TrainStep(_brain, Batch, mnist);
    }

    [GlobalCleanup]
    public void Cleanup() => _brain?.Dispose();

    [Benchmark]
    public void Train() => _step.Invoke();
}
