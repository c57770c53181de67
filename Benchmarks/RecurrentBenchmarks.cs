using BenchmarkDotNet.Attributes;
using Cortex.Benchmarks.Quick;

namespace Cortex.Benchmarks;

/// <summary>
/// <see cref="RecurrentBrain.Think"/> of 1,000 agents (16 → GRU(64) → 32 → 4, one step) and one
/// <see cref="RecurrentBrain.TrainSequence(System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, System.ReadOnlySpan{float}, int, int, Cortex.Layers.TruncatedBptt)"/> step (64 sequences × 16 steps, full BPTT), on 1 and 2 threads
/// (the quick rows gru_think_1000x64 and gru_bptt_train_64x16).
/// </summary>
[MemoryDiagnoser]
public class RecurrentBenchmarks
{
    private RecurrentBrain? _thinker, _learner;
    private RecurrentSuite.Think _think;
    private RecurrentSuite.TrainSequence _train;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _thinker = RecurrentSuite.BuildBrain(RecurrentSuite.Agents, 1, Threads);
        _learner = RecurrentSuite.BuildBrain(RecurrentSuite.TrainBatch, RecurrentSuite.TrainSteps, Threads);
        _think = new RecurrentSuite.Think(_thinker);
        _train = new RecurrentSuite.TrainSequence(_learner);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _thinker?.Dispose();
        _learner?.Dispose();
    }

    [Benchmark]
    public void GruThink() => _think.Invoke();

    [Benchmark]
    public void GruBpttTrain() => _train.Invoke();
}
