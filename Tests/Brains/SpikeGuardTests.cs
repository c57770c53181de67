using System;
using Cortex.Realtime;
using NUnit.Framework;

namespace Cortex.Tests.Brains;

/// <summary>
/// One extreme but finite sample must not wreck a brain: with the default spike guard (what OnlineTrainer,
/// BackgroundTrainer and the learners install), one sample of 1e3, 1e8 or 1e10 in input or target leaves SGD,
/// momentum and Adam learning — at most 5 of the next 100 clean steps rejected, and the final loss on clean data
/// within 2× of a twin that never saw the outlier.
/// </summary>
[TestFixture]
public sealed class SpikeGuardTests
{
    private const int Inputs = 4, Batch = 16;

    public static readonly object[] Cases = BuildCases();

    private static object[] BuildCases()
    {
        var cases = new System.Collections.Generic.List<object>();
        foreach (string optimizer in new[] { "sgd", "momentum", "adam" })
            foreach (float value in new[] { 1e3f, 1e8f, 1e10f })
                foreach (bool inTarget in new[] { false, true })
                    cases.Add(new object[] { optimizer, value, inTarget });
        return cases.ToArray();
    }

    private static Optimizer Rule(string name) => name switch
    {
        "sgd" => Optimizer.GradientDescent(0.05f),
        "momentum" => Optimizer.WithMomentum(0.02f, 0.9f),
        _ => Optimizer.Adam(0.01f),
    };

    private static Brain Make(string optimizer) =>
        Brain.Create(Inputs).Dense(16, Activation.Relu).Dense(1, Activation.Linear).Loss(Loss.MeanSquaredError).Optimizer(Rule(optimizer)).MaxBatch(64).Build(7);

    // y = sin(x0) + 0.5 x1 − x2 x3, x in [−1, 1].
    private static void Fill(SeededRandom random, float[] x, float[] y)
    {
        for (int r = 0; r < y.Length; r++)
        {
            for (int c = 0; c < Inputs; c++) x[r * Inputs + c] = random.NextFloat(-1f, 1f);
            int o = r * Inputs;
            y[r] = MathF.Sin(x[o]) + 0.5f * x[o + 1] - x[o + 2] * x[o + 3];
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void OneExtremeSampleLeavesTheBrainLearning(string optimizer, float value, bool inTarget)
    {
        using Brain brain = Make(optimizer), twin = Make(optimizer);
        brain.StepFilter = new SpikeGuard();
        twin.StepFilter = new SpikeGuard();
        float[] x = new float[Batch * Inputs], y = new float[Batch];
        float[] ex = new float[64 * Inputs], ey = new float[64];
        Fill(new SeededRandom(99), ex, ey);
        var random = new SeededRandom(5);
        for (int step = 0; step < 300; step++)
        {
            Fill(random, x, y);
            brain.Train(x, y, Batch);
            twin.Train(x, y, Batch);
            if (step != 99) continue;
            // Step 100 of the brain sees one extreme row; the twin trained on the clean batch above.
            Fill(random, x, y);
            if (inTarget) y[3] = value;
            else x[3 * Inputs + 1] = value;
            brain.Train(x, y, Batch);
            long rejectedAfterOutlier = brain.RejectedSteps;
            for (int clean = 0; clean < 100; clean++)
            {
                Fill(random, x, y);
                brain.Train(x, y, Batch);
                twin.Train(x, y, Batch);
            }
            Assert.That(brain.RejectedSteps - rejectedAfterOutlier, Is.LessThanOrEqualTo(5), "clean steps rejected after the outlier");
        }
        float loss = brain.Evaluate(ex, ey, 64).Loss, twinLoss = twin.Evaluate(ex, ey, 64).Loss;
        TestContext.Out.WriteLine($"{optimizer} {value:G2} in {(inTarget ? "target" : "input")}: loss {loss:G4}, twin {twinLoss:G4}, rejected {brain.RejectedSteps}");
        Assert.That(float.IsFinite(loss), Is.True);
        Assert.That(loss, Is.LessThanOrEqualTo(2f * twinLoss), "final loss on clean data against the twin's");
    }

    [Test]
    public void OnlineTrainerSurvivesAnExtremeTargetInItsSampleRing()
    {
        // The outlier stays in the ring until it is overwritten, so batches that draw it keep being rejected; once it
        // is gone, learning goes on as in a twin that never saw it.
        using Brain brain = Make("momentum"), twin = Make("momentum");
        var trainer = new OnlineTrainer(brain, capacity: 256, batchSize: Batch, TrainingBudget.Updates(1), seed: 3);
        var twinTrainer = new OnlineTrainer(twin, capacity: 256, batchSize: Batch, TrainingBudget.Updates(1), seed: 3);
        Assert.That(brain.StepFilter, Is.InstanceOf<SpikeGuard>(), "on by default");
        float[] x = new float[4 * Inputs], y = new float[4], ex = new float[64 * Inputs], ey = new float[64];
        Fill(new SeededRandom(99), ex, ey);
        var random = new SeededRandom(11);
        long rejectedWhenEvicted = 0;
        for (int tick = 0; tick < 400; tick++)
        {
            Fill(random, x, y);
            for (int r = 0; r < 4; r++)
            {
                bool outlier = tick == 100 && r == 0;
                float[] target = { outlier ? 1e10f : y[r] };
                trainer.AddSample(x.AsSpan(r * Inputs, Inputs), target);
                twinTrainer.AddSample(x.AsSpan(r * Inputs, Inputs), y.AsSpan(r, 1));
            }
            trainer.Tick();
            twinTrainer.Tick();
            if (tick == 100 + 64) rejectedWhenEvicted = brain.RejectedSteps;   // 256 samples later the outlier is overwritten
        }
        float loss = brain.Evaluate(ex, ey, 64).Loss, twinLoss = twin.Evaluate(ex, ey, 64).Loss;
        TestContext.Out.WriteLine($"loss {loss:G4}, twin {twinLoss:G4}, rejected {brain.RejectedSteps} ({rejectedWhenEvicted} while the outlier was in the ring)");
        Assert.That(brain.RejectedSteps - rejectedWhenEvicted, Is.LessThanOrEqualTo(5), "steps rejected once the outlier left the ring");
        Assert.That(loss, Is.LessThanOrEqualTo(2f * twinLoss));
    }

    [Test]
    public void AFilterThatAcceptsChangesNoBit()
    {
        using Brain plain = Make("adam"), guarded = Make("adam");
        guarded.StepFilter = new SpikeGuard();
        float[] x = new float[Batch * Inputs], y = new float[Batch];
        var random = new SeededRandom(1);
        for (int i = 0; i < 50; i++)
        {
            Fill(random, x, y);
            plain.Train(x, y, Batch);
            guarded.Train(x, y, Batch);
        }
        float[] a = new float[plain.ParameterCount], b = new float[guarded.ParameterCount];
        plain.CopyParametersTo(a);
        guarded.CopyParametersTo(b);
        Assert.That(b, Is.EqualTo(a));
        Assert.That(((SpikeGuard)guarded.StepFilter).Rejected, Is.Zero);
    }

    [Test]
    public void ALastingChangeOfScaleIsShrunkNotRefusedForever()
    {
        var guard = new SpikeGuard(threshold: 10f, warmupSteps: 4, maxConsecutiveRejections: 3);
        for (int i = 0; i < 4; i++) Assert.That(guard.Review(1f), Is.EqualTo(1f));
        Assert.That(guard.Review(100f), Is.Zero);
        Assert.That(guard.Review(100f), Is.Zero);
        Assert.That(guard.Review(100f), Is.Zero);
        Assert.That(guard.Review(100f), Is.EqualTo(0.1f).Within(1e-6f), "shrunk to 10 x the baseline");
        Assert.That(new SpikeGuard().Threshold, Is.EqualTo(SpikeGuard.DefaultThreshold));
        Assert.That(guard.Baseline, Is.GreaterThan(1f));
        Assert.That(guard.Review(float.NaN), Is.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SpikeGuard(threshold: 1f));
    }
}
