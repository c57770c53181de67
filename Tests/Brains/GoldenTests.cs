using System;
using System.Collections.Generic;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Cortex.Backends;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>
/// Pins what a brain computes, bit for bit, so a refactor that moves the math cannot change it unnoticed.
/// Each case builds a brain, takes 200 training steps through every public training entry (Train with targets
/// and with labels, TryTrain, Forward + Backward + ApplyGradients, two AccumulateGradients before one
/// ApplyGradients), at batch sizes from 1 to MaxBatch, then predicts (batch 1, a chunked batch larger than
/// MaxBatch, a parallel block batch where the brain allows it) and evaluates. XxHash64 over the resulting
/// weights, outputs, returned losses and counters must equal the recorded value, on 1 and 2 threads (the CPU
/// backend gives the same bits for any thread count). The OpenCL runs of the smooth cases must match the CPU
/// results within the conformance tolerances.
/// </summary>
[TestFixture]
public sealed class GoldenTests
{
    private const int Steps = 200;

    /// <summary>The recorded hashes (computed by the code before the one-math-path refactor).</summary>
    private static string Isa => Cortex.Kernels.GemmIsas.Best.ToString();

    /// <summary>The recorded hashes for the instruction set this process runs, by case.</summary>
    private static Dictionary<string, string> Recorded => Cortex.Kernels.GemmIsas.Best switch
    {
        Cortex.Kernels.GemmIsa.Avx512 or Cortex.Kernels.GemmIsa.Avx2 => RecordedSimd,
        Cortex.Kernels.GemmIsa.Scalar => RecordedScalar,
        _ => throw new AssertionException($"No golden hashes are recorded for {Isa}; record them from a build before the change under test."),
    };

    /// <summary>AVX-512 and AVX2 (recorded on AVX-512; with DOTNET_EnableAVX512F=0 the same bits came out).</summary>
    private static readonly Dictionary<string, string> RecordedSimd = new()
    {
        ["mse-tanh-sigmoid-sgd"] = "02B4ECC3F40D79C5",
        ["mse-relu-leaky-momentum"] = "278A8D629BD8F37C",
        ["huber-elu-softplus-nesterov"] = "5D707B7287930C52",
        ["ce-elu-softmax-adam-clip"] = "D42D7D5CB69ACBFB",
        ["bce-sigmoid-adam-decay"] = "EB636C5CD5CA8A1F",
        ["hinge-step-linear-sgd"] = "995F9A7A43523319",
        ["huber03-softplus-sgd-clip"] = "CCC28BB31CD762FA",
        ["mse-hidden-softmax-momentum"] = "C8E5DE2C05C18AEC",
        ["ce-wide-relu-tanh-adam-clip"] = "D823F5DD5D2B8C9E",
        ["agents-tanh-sgd-maxbatch1024"] = "C4C94E9B8A578408",
    };

    /// <summary>Without hardware intrinsics (DOTNET_EnableHWIntrinsic=0): the scalar kernels.</summary>
    private static readonly Dictionary<string, string> RecordedScalar = new()
    {
        ["mse-tanh-sigmoid-sgd"] = "EB17F6A8717EBD21",
        ["mse-relu-leaky-momentum"] = "9AB6B422AD80ECCF",
        ["huber-elu-softplus-nesterov"] = "C59A5997C41BA7CE",
        ["ce-elu-softmax-adam-clip"] = "4BA414FF319A2986",
        ["bce-sigmoid-adam-decay"] = "E43E09136EE4EFD1",
        ["hinge-step-linear-sgd"] = "79E02EF1F87BDDE7",
        ["huber03-softplus-sgd-clip"] = "EBEB52209E9431AF",
        ["mse-hidden-softmax-momentum"] = "A6E209E8B8FE9FAF",
        ["ce-wide-relu-tanh-adam-clip"] = "9AD51C9A54FA323B",
        ["agents-tanh-sgd-maxbatch1024"] = "1F7E30885E264B86",
    };

    private sealed record Case(string Name, Func<BrainBuilder> Describe, int MaxBatch, bool Smooth);

    private static readonly Case[] Cases =
    {
        new("mse-tanh-sigmoid-sgd", () => Brain.Create(6).Dense(16, Activation.Tanh).Dense(16, Activation.Sigmoid).Dense(3, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.GradientDescent(0.05f)), 32, true),
        new("mse-relu-leaky-momentum", () => Brain.Create(6).Dense(16, Activation.Relu).Dense(16, Activation.LeakyReluWithSlope(0.2f)).Dense(3, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.WithMomentum(0.02f, 0.9f)), 32, false),
        new("huber-elu-softplus-nesterov", () => Brain.Create(6).Dense(12, Activation.Elu).Dense(12, Activation.Softplus).Dense(3, Activation.Linear)
            .Loss(Loss.Huber).Optimizer(Optimizer.WithMomentum(0.02f, 0.8f, nesterov: true)), 32, false),
        new("ce-elu-softmax-adam-clip", () => Brain.Create(6).Dense(24, Activation.EluWithAlpha(0.5f)).Dense(5, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(2e-3f).WithGradientClipping(1f)), 32, true),
        new("bce-sigmoid-adam-decay", () => Brain.Create(6).Dense(16, Activation.Tanh).Dense(1, Activation.Sigmoid)
            .Loss(Loss.BinaryCrossEntropy).Optimizer(Optimizer.Adam(1e-3f).WithWeightDecay(1e-3f)), 32, false),
        new("hinge-step-linear-sgd", () => Brain.Create(6).Dense(12, Activation.BinaryStep).Dense(10, Activation.Relu).Dense(4, Activation.Linear)
            .Loss(Loss.Hinge).Optimizer(Optimizer.GradientDescent(0.01f)), 32, false),
        new("huber03-softplus-sgd-clip", () => Brain.Create(6).Dense(10, Activation.Softplus).Dense(3, Activation.Linear)
            .Loss(Loss.HuberWithDelta(0.3f)).Optimizer(Optimizer.GradientDescent(0.05f).WithGradientClipping(0.5f)), 32, true),
        new("mse-hidden-softmax-momentum", () => Brain.Create(6).Dense(8, Activation.Softmax).Dense(2, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.WithMomentum(0.05f)), 32, false),
        new("ce-wide-relu-tanh-adam-clip", () => Brain.Create(32).Dense(128, Activation.Relu).Dense(128, Activation.Tanh).Dense(10, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(1e-3f).WithGradientClipping(2f)), 64, false),
        new("agents-tanh-sgd-maxbatch1024", () => Brain.Create(16).Dense(64, Activation.Tanh).Dense(64, Activation.Tanh).Dense(4, Activation.Linear)
            .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.GradientDescent(0.01f)), 1024, false),
    };

    private static IEnumerable<TestCaseData> CpuCases()
    {
        foreach (Case c in Cases)
        {
            yield return new TestCaseData(c.Name, 1).SetName($"Golden_{c.Name}_1thread");
            yield return new TestCaseData(c.Name, 2).SetName($"Golden_{c.Name}_2threads");
        }
    }

    private static IEnumerable<TestCaseData> SmoothCases()
    {
        foreach (Case c in Cases)
        {
            if (c.Smooth) yield return new TestCaseData(c.Name).SetName($"GoldenOpenCl_{c.Name}");
        }
    }

    [TestCaseSource(nameof(CpuCases))]
    public void CpuResultsMatchTheRecordedHash(string name, int threads)
    {
        Case c = Array.Find(Cases, x => x.Name == name)!;
        using Brain brain = c.Describe().MaxBatch(c.MaxBatch).Threads(threads).Build(20261206);
        Outcome outcome = Run(brain);
        string hash = outcome.Hash();
        Assert.That(hash, Is.EqualTo(Recorded[name]), $"{name} on {threads} thread(s) computed different bits than recorded.");
    }

    [TestCaseSource(nameof(SmoothCases))]
    public void OpenClResultsMatchTheCpuWithinTolerance(string name)
    {
        Case c = Array.Find(Cases, x => x.Name == name)!;
        using Brain cpu = c.Describe().MaxBatch(c.MaxBatch).Threads(1).Build(20261206);
        Outcome expected = Run(cpu);
        Assert.That(expected.Hash(), Is.EqualTo(Recorded[name]), "the CPU reference itself must match the recorded bits");

        using IBackend backend = TestBackends.CreateOpenCl();
        using Brain device = c.Describe().MaxBatch(c.MaxBatch).Backend(backend).Build(20261206);
        Outcome actual = Run(device);
        Assert.That(actual.Steps, Is.EqualTo(expected.Steps));
        Assert.That(actual.Rejected, Is.EqualTo(expected.Rejected));
        AssertClose(actual.Parameters, expected.Parameters, 2e-3f, "parameters");
        AssertClose(actual.Outputs.ToArray(), expected.Outputs.ToArray(), 2e-3f, "outputs");
        AssertClose(actual.Losses.ToArray(), expected.Losses.ToArray(), 2e-3f, "losses");
    }

    private static void AssertClose(float[] actual, float[] expected, float tolerance, string what)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), what);
        for (int i = 0; i < actual.Length; i++)
        {
            float bound = tolerance * Math.Max(1f, Math.Abs(expected[i]));
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(bound), $"{what}[{i}]");
        }
    }

    private sealed class Outcome
    {
        public float[] Parameters = Array.Empty<float>();
        public readonly List<float> Outputs = new();
        public readonly List<float> Losses = new();
        public long Steps, Rejected;

        public string Hash()
        {
            var hash = new XxHash64();
            hash.Append(MemoryMarshal.AsBytes(Parameters.AsSpan()));
            hash.Append(MemoryMarshal.AsBytes(Outputs.ToArray().AsSpan()));
            hash.Append(MemoryMarshal.AsBytes(Losses.ToArray().AsSpan()));
            long[] counters = { Steps, Rejected };
            hash.Append(MemoryMarshal.AsBytes(counters.AsSpan()));
            return Convert.ToHexString(hash.GetCurrentHash());
        }
    }

    private static Outcome Run(Brain brain)
    {
        int inputs = brain.Inputs, outputs = brain.Outputs, pool = 4096;
        bool classifier = brain.Loss.Kind is LossKind.SoftmaxCrossEntropy or LossKind.BinaryCrossEntropy or LossKind.Hinge;
        var random = new SeededRandom(7);
        float[] x = new float[pool * inputs], t = new float[pool * outputs];
        int[] labels = new int[pool];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextFloat(-1.5f, 1.5f);
        for (int r = 0; r < pool; r++)
        {
            float s = 0f;
            for (int j = 0; j < inputs; j++) s += x[r * inputs + j] * (j % 3 - 1);
            if (classifier)
            {
                int label = outputs == 1 ? (s > 0f ? 1 : 0) : (int)((MathF.Tanh(s) * 0.4999f + 0.5f) * outputs);
                labels[r] = label;
                t[r * outputs + (outputs == 1 ? 0 : label)] = outputs == 1 ? label : 1f;
            }
            else
            {
                for (int k = 0; k < outputs; k++) t[r * outputs + k] = MathF.Sin(s + k);
            }
        }

        var outcome = new Outcome();
        float[] gradient = new float[brain.MaxBatch * outputs];
        int cap = Math.Min(brain.MaxBatch, 64);
        for (int step = 0; step < Steps; step++)
        {
            int batch = 1 + (int)(random.NextFloat(0f, 0.999f) * cap), start = (int)(random.NextFloat(0f, 0.999f) * (pool - batch));
            ReadOnlySpan<float> bx = x.AsSpan(start * inputs, batch * inputs), bt = t.AsSpan(start * outputs, batch * outputs);
            switch (step % 5)
            {
                case 0:
                    outcome.Losses.Add(brain.Train(bx, bt, batch));
                    break;
                case 1:
                    outcome.Losses.Add(brain.TryTrain(bx, bt, batch, out float loss) ? loss : -loss);
                    break;
                case 2:
                    // A learner's own gradient: dL/dy = (y − t) / batch.
                    ReadOnlySpan<float> y = brain.Forward(bx, batch);
                    for (int i = 0; i < batch * outputs; i++) gradient[i] = (y[i] - bt[i]) / batch;
                    brain.Backward(gradient.AsSpan(0, batch * outputs), batch);
                    outcome.Losses.Add(brain.ApplyGradients() ? 1f : 0f);
                    break;
                case 3:
                    int half = Math.Max(1, batch / 2);
                    outcome.Losses.Add(brain.AccumulateGradients(bx.Slice(0, half * inputs), bt.Slice(0, half * outputs), half));
                    outcome.Losses.Add(brain.AccumulateGradients(bx, bt, batch));
                    outcome.Losses.Add(brain.ApplyGradients() ? 1f : 0f);
                    break;
                default:
                    outcome.Losses.Add(classifier ? brain.Train(bx, labels.AsSpan(start, batch), batch) : brain.Train(bx, bt, batch));
                    break;
            }
            outcome.Losses.Add(brain.LastGradientNorm);
        }

        outcome.Parameters = new float[brain.ParameterCount];
        brain.CopyParametersTo(outcome.Parameters);
        outcome.Steps = brain.Steps;
        outcome.Rejected = brain.RejectedSteps;

        int[] predictRows = brain.MaxBatch >= 1024 ? new[] { 1, 7, 1000 } : new[] { 1, 7, brain.MaxBatch * 2 + 3 };
        foreach (int rows in predictRows)
        {
            float[] o = new float[rows * outputs];
            brain.Predict(x.AsSpan(0, rows * inputs), o, rows);
            outcome.Outputs.AddRange(o);
        }
        Evaluation e = brain.Evaluate(x, t, pool);
        outcome.Losses.Add(e.Loss);
        outcome.Losses.Add(e.Accuracy);
        return outcome;
    }
}
