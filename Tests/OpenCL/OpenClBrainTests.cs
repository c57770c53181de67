using System;
using System.Collections.Generic;
using Cortex.Backends;
using Cortex.Diagnostics;
using Cortex.OpenCL;
using Cortex.Tests.Backends;
using Cortex.Tests.Brains;
using NUnit.Framework;

namespace Cortex.Tests.OpenCL;

/// <summary>Brains on OpenCL against the same brains on the CPU: same gradients, same training, same predictions; and what a step costs in transfers.</summary>
[TestFixture]
public sealed class OpenClBrainTests
{

    private OpenClBackend _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.CreateOpenCl();

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    public static IEnumerable<TestCaseData> GradientCases()
    {
        foreach (Activation activation in Catalog.Activations)
        {
            foreach (Loss loss in Catalog.Losses)
            {
                foreach (int size in new[] { 3, 17 }) yield return new TestCaseData(activation, loss, size);
            }
        }
    }

    // GradientCheckTests' networks, with the analytic gradients computed on the device.
    [TestCaseSource(nameof(GradientCases))]
    public void GradientCheckPassesOnTheDevice(Activation activation, Loss loss, int size)
    {
        (Brain brain, float[] inputs, float[] targets) = Catalog.CheckNetwork(activation, loss, size, seed: (ulong)(size * 31 + (int)activation.Kind), _backend);
        using var owned = brain;

        GradientCheckReport report = GradientCheck.Brain(brain, inputs, targets, size);

        Assert.That(report.Passed, Is.True, report.ToString());
        Assert.That(report.AgainstFiniteDifferences.Checked + report.AgainstFiniteDifferences.Skipped, Is.EqualTo(brain.ParameterCount));
    }

    [Test]
    public void TheSameTrainingRunReachesTheSameAccuracyAsOnTheCpu()
    {
        (float[] testX, float[] testY) = LearningTests.TwoMoons(400, seed: 3);
        using var cpu = new CpuBackend();
        using Brain onCpu = BrainOnBackendTests.TrainTwoMoons(cpu, epochs: 40);
        using Brain onDevice = BrainOnBackendTests.TrainTwoMoons(_backend, epochs: 40);
        Evaluation a = onCpu.Evaluate(testX, testY, 400), b = onDevice.Evaluate(testX, testY, 400);
        Assert.That(b.Accuracy, Is.GreaterThanOrEqualTo(0.95f));
        Assert.That(b.Accuracy, Is.EqualTo(a.Accuracy).Within(0.01f));
        Assert.That(b.Loss, Is.EqualTo(a.Loss).Within(0.02f));
    }

    [Test]
    public void EarlyTrainingFollowsTheCpuTrajectory()
    {
        // Rounding differs (fma in GEMM, transcendental functions) but only at the last bits: after a few steps the weights still agree closely.
        using var cpu = new CpuBackend();
        using Brain onCpu = BrainOnBackendTests.TrainTwoMoons(cpu, epochs: 1);
        using Brain onDevice = BrainOnBackendTests.TrainTwoMoons(_backend, epochs: 1);
        float[] a = new float[onCpu.ParameterCount], b = new float[onCpu.ParameterCount];
        onCpu.CopyParametersTo(a);
        onDevice.CopyParametersTo(b);
        for (int i = 0; i < a.Length; i++) Assert.That(b[i], Is.EqualTo(a[i]).Within(1e-4), $"parameter {i} after 20 Adam steps");
        Assert.That(onDevice.Steps, Is.EqualTo(onCpu.Steps));
    }

    [Test]
    public void ABrainTrainedOnOpenClPredictsTheSameOnTheCpu()
    {
        (float[] testX, _) = LearningTests.TwoMoons(400, seed: 3);
        using Brain onDevice = BrainOnBackendTests.TrainTwoMoons(_backend, epochs: 10);
        using Brain onCpu = Brain.FromSpec(onDevice.Spec, seed: 123);
        float[] parameters = new float[onDevice.ParameterCount];
        onDevice.CopyParametersTo(parameters);
        onCpu.SetParameters(parameters);

        float[] deviceOut = new float[800], cpuOut = new float[800];
        onDevice.Predict(testX, deviceOut, 400);
        onCpu.Predict(testX, cpuOut, 400);

        for (int i = 0; i < deviceOut.Length; i++) Assert.That(deviceOut[i], Is.EqualTo(cpuOut[i]).Within(1e-5), $"output {i}");
        for (int r = 0; r < 400; r++) Assert.That(Metrics.ArgMax(deviceOut.AsSpan(r * 2, 2)), Is.EqualTo(Metrics.ArgMax(cpuOut.AsSpan(r * 2, 2))), $"row {r}");
    }

    [Test]
    public void ATrainingStepUploadsOnlyItsBatchAndReadsBackOnlyTwoPartialSums()
    {
        const int batch = 64;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch, seed: 11);
        using Brain brain = Brain.Create(2).Dense(64, Activation.Relu).Dense(64, Activation.Tanh).Dense(2, Activation.Softmax)
            .Loss(Loss.SoftmaxCrossEntropy).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(batch).Backend(_backend).Build(seed: 12);
        brain.Train(x, y, batch);
        OpenClCounters before = _backend.Counters;
        for (int i = 0; i < 10; i++) brain.Train(x, y, batch);
        OpenClCounters step = _backend.Counters - before;

        // Per step: inputs and targets go up; the loss and the gradient norm come back as at most 64 partial sums each. The ~10 thousand parameters never move.
        Assert.That(step.Uploads, Is.EqualTo(2 * 10));
        Assert.That(step.BytesUploaded, Is.EqualTo(10L * (batch * 2 + batch * 2) * sizeof(float)));
        Assert.That(step.Downloads, Is.EqualTo(2 * 10));
        Assert.That(step.BytesDownloaded, Is.LessThanOrEqualTo(10L * 2 * 64 * sizeof(float)));
        Assert.That(step.Synchronizations, Is.EqualTo(0));
        Assert.That(step.BlockingWaits, Is.EqualTo(10), "one wait per step: the loss and the gradient norm come back together, the uploads are queued");
        Assert.That(step.KernelLaunches, Is.GreaterThan(0));
    }

    // Train on a device reads the loss and the gradient norm back with one wait; the values and the step are bitwise
    // those of the two-wait path (AccumulateGradients, which returns the loss, then ApplyGradients).
    // The loss and its gradient come from one fused kernel there: every loss, row-wise and element-wise.
    [TestCase(OptimizerKind.Adam, LossKind.SoftmaxCrossEntropy)]
    [TestCase(OptimizerKind.Momentum, LossKind.MeanSquaredError)]
    [TestCase(OptimizerKind.Adam, LossKind.BinaryCrossEntropy)]
    [TestCase(OptimizerKind.Momentum, LossKind.Hinge)]
    [TestCase(OptimizerKind.Adam, LossKind.Huber)]
    public void TrainWithOneWaitMatchesAccumulateThenApplyBitwise(OptimizerKind kind, LossKind lossKind)
    {
        Loss loss = lossKind switch
        {
            LossKind.SoftmaxCrossEntropy => Loss.SoftmaxCrossEntropy,
            LossKind.MeanSquaredError => Loss.MeanSquaredError,
            LossKind.BinaryCrossEntropy => Loss.BinaryCrossEntropy,
            LossKind.Hinge => Loss.Hinge,
            _ => Loss.HuberWithDelta(0.3f),
        };
        Activation output = lossKind switch
        {
            LossKind.SoftmaxCrossEntropy => Activation.Softmax,
            LossKind.BinaryCrossEntropy => Activation.Sigmoid,
            _ => Activation.Linear,
        };
        const int batch = 32;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch * 4, seed: 21);
        Optimizer optimizer = (kind == OptimizerKind.Adam ? Optimizer.Adam(0.01f) : Optimizer.WithMomentum(0.05f)).WithGradientClipping(0.5f);
        Brain Build() => Brain.Create(2).Dense(24, Activation.Tanh).Dense(2, output).Loss(loss)
            .Optimizer(optimizer).MaxBatch(batch).Backend(_backend).Build(seed: 22);
        using Brain oneWait = Build();
        using Brain twoWaits = Build();
        for (int step = 0; step < 12; step++)
        {
            int at = step % 4 * batch;
            ReadOnlySpan<float> xs = x.AsSpan(at * 2, batch * 2), ys = y.AsSpan(at * 2, batch * 2);
            float a = oneWait.Train(xs, ys, batch);
            float b = twoWaits.AccumulateGradients(xs, ys, batch);
            twoWaits.ApplyGradients();
            Assert.That(BitConverter.SingleToInt32Bits(a), Is.EqualTo(BitConverter.SingleToInt32Bits(b)), $"loss of step {step}");
            Assert.That(BitConverter.SingleToInt32Bits(oneWait.LastGradientNorm), Is.EqualTo(BitConverter.SingleToInt32Bits(twoWaits.LastGradientNorm)),
                $"gradient norm of step {step}");
        }
        float[] pa = new float[oneWait.ParameterCount], pb = new float[twoWaits.ParameterCount];
        oneWait.CopyParametersTo(pa);
        twoWaits.CopyParametersTo(pb);
        Assert.That(pa, Is.EqualTo(pb), "parameters after 12 steps");
        Assert.That(oneWait.Steps, Is.EqualTo(twoWaits.Steps));
    }

    // Without a step filter the clipping scale is decided on the device and the step queued before the one wait; with a
    // filter that takes every step as it is, the host decides it after the wait. Tight clipping (every step clipped),
    // every optimizer: the same losses, norms, steps and parameters, bit for bit.
    [TestCase(OptimizerKind.GradientDescent)]
    [TestCase(OptimizerKind.Momentum)]
    [TestCase(OptimizerKind.Adam)]
    public void ClippingDecidedOnTheDeviceMatchesTheHostDecisionBitwise(OptimizerKind kind)
    {
        const int batch = 16;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch * 3, seed: 31);
        Optimizer optimizer = kind switch
        {
            OptimizerKind.GradientDescent => Optimizer.GradientDescent(0.1f),
            OptimizerKind.Momentum => Optimizer.WithMomentum(0.05f, nesterov: true),
            _ => Optimizer.Adam(0.01f),
        };
        optimizer = optimizer.WithGradientClipping(1e-3f);
        Brain Build() => Brain.Create(2).Dense(16, Activation.Tanh).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
            .Optimizer(optimizer).MaxBatch(batch).Backend(_backend).Build(seed: 32);
        using Brain device = Build();
        using Brain host = Build();
        host.StepFilter = new TakeEveryStep();
        OpenClCounters before = _backend.Counters;
        for (int step = 0; step < 9; step++)
        {
            int at = step % 3 * batch;
            ReadOnlySpan<float> xs = x.AsSpan(at * 2, batch * 2), ys = y.AsSpan(at * 2, batch * 2);
            float a = device.Train(xs, ys, batch);
            float b = host.Train(xs, ys, batch);
            Assert.That(BitConverter.SingleToInt32Bits(a), Is.EqualTo(BitConverter.SingleToInt32Bits(b)), $"loss of step {step}");
            Assert.That(device.LastGradientNorm, Is.GreaterThan(1e-3f), $"step {step} is clipped");
            Assert.That(BitConverter.SingleToInt32Bits(device.LastGradientNorm), Is.EqualTo(BitConverter.SingleToInt32Bits(host.LastGradientNorm)),
                $"gradient norm of step {step}");
        }
        Assert.That(_backend.Counters.BlockingWaits - before.BlockingWaits, Is.EqualTo(2 * 9), "one wait per step on either path");
        float[] pa = new float[device.ParameterCount], pb = new float[host.ParameterCount];
        device.CopyParametersTo(pa);
        host.CopyParametersTo(pb);
        Assert.That(pa, Is.EqualTo(pb), "parameters after 9 clipped steps");
        Assert.That(device.Steps, Is.EqualTo(9));
        Assert.That(host.Steps, Is.EqualTo(9));
    }

    // TrainPipelined queues the whole step and waits only for the previous step's scalars: no blocking wait per step in
    // a steady loop, one wait on earlier work; the same losses (one step late), norms, steps and parameters as Train,
    // bit for bit, a rejected step included.
    [Test]
    public void PipelinedStepsMatchTrainBitwiseWithoutBlockingWaits()
    {
        const int batch = 32;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch * 4, seed: 33);
        float[] bad = y.AsSpan(0, batch * 2).ToArray();
        bad[5] = float.NaN;                                                  // step 6 is rejected on the device
        Brain Build() => Brain.Create(2).Dense(32, Activation.Relu).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
            .Optimizer(Optimizer.Adam(0.01f).WithGradientClipping(0.2f)).MaxBatch(batch).Backend(_backend).Build(seed: 34);
        using Brain pipelined = Build();
        using Brain plain = Build();
        float previous = float.NaN;
        OpenClCounters before = default;
        for (int step = 0; step < 14; step++)
        {
            if (step == 4) before = _backend.Counters;
            int at = step % 4 * batch;
            ReadOnlySpan<float> xs = x.AsSpan(at * 2, batch * 2), ys = step == 6 ? bad : y.AsSpan(at * 2, batch * 2);
            float returned = pipelined.TrainPipelined(xs, ys, batch);
            Assert.That(BitConverter.SingleToInt32Bits(returned), Is.EqualTo(BitConverter.SingleToInt32Bits(previous)), $"step {step} returns the loss of step {step - 1}");
            previous = plain.Train(xs, ys, batch);
        }
        // Steps 4..13 of the pipelined brain (the plain brain's waits interleave: count them apart).
        OpenClCounters both = _backend.Counters - before;
        Assert.That(both.BlockingWaits, Is.EqualTo(10), "the plain brain's one wait per step; none for the pipelined one");
        Assert.That(both.EarlierWorkWaits, Is.EqualTo(10), "one wait per pipelined step, on the previous step's read");
        Assert.That(pipelined.LastLoss, Is.EqualTo(previous), "the last step's loss, on request");
        Assert.That(pipelined.Steps, Is.EqualTo(plain.Steps));
        Assert.That(pipelined.RejectedSteps, Is.EqualTo(1));
        Assert.That(plain.RejectedSteps, Is.EqualTo(1));
        Assert.That(BitConverter.SingleToInt32Bits(pipelined.LastGradientNorm), Is.EqualTo(BitConverter.SingleToInt32Bits(plain.LastGradientNorm)));
        float[] pa = new float[pipelined.ParameterCount], pb = new float[plain.ParameterCount];
        pipelined.CopyParametersTo(pa);
        plain.CopyParametersTo(pb);
        Assert.That(pa, Is.EqualTo(pb), "parameters after 14 steps");
    }

    [Test]
    public void AStreamOfPipelinedStepsNeverBlocksAndAllocatesNothing()
    {
        const int batch = 64;
        (float[] x, float[] y) = LearningTests.TwoMoons(batch, seed: 35);
        using Brain brain = Brain.Create(2).Dense(64, Activation.Relu).Dense(2, Activation.Softmax).Loss(Loss.SoftmaxCrossEntropy)
            .Optimizer(Optimizer.WithMomentum(0.05f)).MaxBatch(batch).Backend(_backend).Build(seed: 36);
        for (int i = 0; i < 4; i++) brain.TrainPipelined(x, y, batch);   // the staging ring grows to fit
        OpenClCounters before = _backend.Counters;
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) brain.TrainPipelined(x, y, batch);
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        OpenClCounters cost = _backend.Counters - before;
        Assert.That(cost.BlockingWaits, Is.EqualTo(0));
        Assert.That(cost.EarlierWorkWaits, Is.EqualTo(50));
        Assert.That(cost.Uploads, Is.EqualTo(2 * 50));
        Assert.That(cost.Downloads, Is.EqualTo(2 * 50));
        Assert.That(allocated, Is.EqualTo(0));
        Assert.That(brain.Steps, Is.EqualTo(54));
        Assert.That(float.IsFinite(brain.LastLoss), Is.True);
    }

    // A small network predicts in one launch per chunk (fused_forward), bit for bit the layer-by-layer pass: every
    // activation, softmax last, batches that do not fill a work-group, and a brain that predicts in chunks.
    // Both variants run on any device: rows as vector lanes (the CPU default) and a row per work-item (elsewhere).
    [TestCase(ActivationKind.Tanh, ActivationKind.Linear, 1, true)]
    [TestCase(ActivationKind.Relu, ActivationKind.Softmax, 3, true)]
    [TestCase(ActivationKind.Sigmoid, ActivationKind.Tanh, 65, true)]
    [TestCase(ActivationKind.Elu, ActivationKind.Sigmoid, 200, true)]
    [TestCase(ActivationKind.LeakyRelu, ActivationKind.Swish, 250, true)]
    [TestCase(ActivationKind.Softplus, ActivationKind.BinaryStep, 129, true)]
    [TestCase(ActivationKind.Swish, ActivationKind.Softplus, 64, true)]
    [TestCase(ActivationKind.Tanh, ActivationKind.Tanh, 1000, true)]
    [TestCase(ActivationKind.Relu, ActivationKind.Relu, 999, true)]
    [TestCase(ActivationKind.Tanh, ActivationKind.Linear, 1, false)]
    [TestCase(ActivationKind.Relu, ActivationKind.Softmax, 3, false)]
    [TestCase(ActivationKind.Elu, ActivationKind.Sigmoid, 200, false)]
    [TestCase(ActivationKind.LeakyRelu, ActivationKind.Swish, 250, false)]
    [TestCase(ActivationKind.Softplus, ActivationKind.BinaryStep, 129, false)]
    public void ASmallNetworkPredictsInOneLaunchBitwiseAsLayerByLayer(ActivationKind hidden, ActivationKind output, int batch, bool lanes)
    {
        Activation Of(ActivationKind kind) => kind switch
        {
            ActivationKind.LeakyRelu => Activation.LeakyReluWithSlope(0.07f),
            ActivationKind.Elu => Activation.EluWithAlpha(0.8f),
            _ => Activation.FromKind(kind, 0f),
        };
        AssertFusedIsLayerByLayer(new[] { 32, 64, 64, 8 }, Of(hidden), Of(output), batch, lanes);
    }

    // Widths that are not multiples of the kernel's eight-output blocks: the blocks and the outputs left over.
    [TestCase(true)]
    [TestCase(false)]
    public void ARaggedSmallNetworkPredictsInOneLaunchBitwiseAsLayerByLayer(bool lanes) =>
        AssertFusedIsLayerByLayer(new[] { 7, 13, 10, 3 }, Activation.Tanh, Activation.Linear, 50, lanes);

    private void AssertFusedIsLayerByLayer(int[] widths, Activation hidden, Activation output, int batch, bool lanes)
    {
        int inputs0 = widths[0], outputs = widths[^1];
        Brain Build()
        {
            var builder = Brain.Create(inputs0);
            for (int i = 1; i < widths.Length; i++) builder.Dense(widths[i], i == widths.Length - 1 ? output : hidden);
            return builder.MaxBatch(100).Backend(_backend).Build(seed: 51);
        }
        var random = new SeededRandom(52);
        float[] inputs = new float[batch * inputs0];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = 4f * random.NextFloat() - 2f;
        float[] fused = new float[batch * outputs], layered = new float[batch * outputs];
        using Brain a = Build();
        using Brain b = Build();
        bool defaultVariant = _backend.FusedOnLanes;
        _backend.FusedOnLanes = lanes;
        try
        {
            a.Predict(inputs, fused, batch);
        }
        finally
        {
            _backend.FusedOnLanes = defaultVariant;
        }
        _backend.PreferFusedForward = false;
        try
        {
            b.Predict(inputs, layered, batch);
        }
        finally
        {
            _backend.PreferFusedForward = true;
        }
        for (int i = 0; i < fused.Length; i++) Assert.That(BitConverter.SingleToInt32Bits(fused[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(layered[i])), $"output {i}");

        OpenClCounters before = _backend.Counters;
        a.Predict(inputs, fused, batch);
        OpenClCounters cost = _backend.Counters - before;
        int chunks = (batch + 99) / 100;
        Assert.That(cost.KernelLaunches, Is.EqualTo(chunks), "one launch per chunk of MaxBatch rows");
        Assert.That(cost.BlockingWaits, Is.EqualTo(chunks), "one wait per chunk");
        before = _backend.Counters;
        b.Predict(inputs, layered, batch);
        Assert.That((_backend.Counters - before).KernelLaunches, Is.EqualTo(chunks * (widths.Length - 1 + (output.Kind == ActivationKind.Softmax ? 1 : 0))), "layer by layer");
    }

    [Test]
    public void ANetworkTooWideForTheFusedPassPredictsLayerByLayer()
    {
        using Brain brain = Brain.Create(16).Dense(300, Activation.Tanh).Dense(4, Activation.Linear).MaxBatch(10).Backend(_backend).Build(seed: 53);
        using Brain cpu = Brain.Create(16).Dense(300, Activation.Tanh).Dense(4, Activation.Linear).MaxBatch(10).Build(seed: 53);
        float[] inputs = new float[10 * 16], outputs = new float[10 * 4], expected = new float[10 * 4];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = 0.01f * i - 0.5f;
        brain.Predict(inputs, outputs, 10);
        OpenClCounters before = _backend.Counters;
        brain.Predict(inputs, outputs, 10);
        Assert.That((_backend.Counters - before).KernelLaunches, Is.EqualTo(2), "one fused GEMM per layer");
        cpu.Predict(inputs, expected, 10);
        for (int i = 0; i < outputs.Length; i++) Assert.That(outputs[i], Is.EqualTo(expected[i]).Within(1e-5), $"output {i}");
    }

    private sealed class TakeEveryStep : IStepFilter
    {
        public float Review(float gradientNorm) => 1f;
    }

    [Test]
    public void ANonFiniteLossOnTheDeviceRejectsTheStepAndDiscardsItsGradients()
    {
        const int batch = 8;
        using Brain brain = Brain.Create(3).Dense(5, Activation.Relu).Dense(2, Activation.Linear).Loss(Loss.MeanSquaredError)
            .Optimizer(Optimizer.GradientDescent(0.1f)).MaxBatch(batch).Backend(_backend).Build(seed: 23);
        float[] x = new float[batch * 3], t = new float[batch * 2];
        for (int i = 0; i < x.Length; i++) x[i] = 0.1f * (i % 7) - 0.3f;
        t[3] = float.NaN;                                                   // a NaN target: a NaN loss and NaN gradients
        float[] before = new float[brain.ParameterCount], after = new float[brain.ParameterCount], gradients = new float[brain.ParameterCount];
        brain.CopyParametersTo(before);

        float loss = brain.Train(x, t, batch);

        brain.CopyParametersTo(after);
        brain.CopyGradientsTo(gradients);
        Assert.That(float.IsNaN(loss), Is.True, "the loss");
        Assert.That(brain.RejectedSteps, Is.EqualTo(1));
        Assert.That(brain.Steps, Is.EqualTo(0));
        Assert.That(after, Is.EqualTo(before), "parameters untouched");
        Assert.That(gradients, Is.All.EqualTo(0f), "gradients discarded");
    }

    [Test]
    public void PredictUploadsInputsAndDownloadsOutputsOnly()
    {
        using Brain brain = Brain.Create(5).Dense(33, Activation.Elu).Dense(3, Activation.Linear).MaxBatch(100).Backend(_backend).Build(seed: 13);
        float[] inputs = new float[250 * 5], outputs = new float[250 * 3];
        brain.Predict(inputs, outputs, 250);
        OpenClCounters before = _backend.Counters;
        brain.Predict(inputs, outputs, 250);
        OpenClCounters cost = _backend.Counters - before;
        Assert.That(cost.Uploads, Is.EqualTo(3), "one upload per chunk of MaxBatch rows");
        Assert.That(cost.BytesUploaded, Is.EqualTo(inputs.Length * sizeof(float)));
        Assert.That(cost.Downloads, Is.EqualTo(3));
        Assert.That(cost.BytesDownloaded, Is.EqualTo(outputs.Length * sizeof(float)));
        Assert.That(cost.BlockingWaits, Is.EqualTo(3), "one wait per chunk (its download): uploads are queued");
    }
}
