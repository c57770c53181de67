using System;
using Cortex.OpenCL;
using Cortex.Tensors;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.OpenCL;

/// <summary>
/// Buffers in memory the host shares with the device (fine-grained SVM, where the device works in host memory, as PoCL's
/// CPU device does): uploads written in place when nothing is queued, downloads read in place after one wait, and the
/// same results as buffers in device memory (forced with PreferSharedMemory = false).
/// </summary>
[TestFixture]
public sealed class OpenClSharedMemoryTests
{
    private OpenClBackend _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.CreateOpenCl();

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void BuffersAreSharedExactlyWhereTheDeviceSharesHostMemory()
    {
        Assert.That(_backend.AllocatesShared, Is.EqualTo(_backend.Device.SharesHostMemory));
        int before = _backend.SharedAllocations;
        using (DeviceBuffer buffer = _backend.Allocate(16))
        {
            Assert.That(_backend.SharedAllocations, Is.EqualTo(before + (_backend.Device.SharesHostMemory ? 1 : 0)));
        }
        Assert.That(_backend.SharedAllocations, Is.EqualTo(before));
        _backend.PreferSharedMemory = false;
        try
        {
            using DeviceBuffer buffer = _backend.Allocate(16);
            Assert.That(_backend.SharedAllocations, Is.EqualTo(before), "device memory when shared memory is not preferred");
        }
        finally
        {
            _backend.PreferSharedMemory = true;
        }
    }

    [Test]
    public void AnUploadToAnIdleQueueAndTheDownloadAfterItQueueNothing()
    {
        RequireSharing();
        using DeviceBuffer buffer = _backend.Allocate(64);
        _backend.Synchronize();
        float[] values = Ramp(64, 3f), back = new float[64];
        long commands = _backend.CommandsQueued;
        OpenClCounters before = _backend.Counters;
        _backend.Upload(buffer.All, values);
        _backend.Download(back, buffer.All);
        OpenClCounters cost = _backend.Counters - before;
        Assert.That(_backend.CommandsQueued, Is.EqualTo(commands), "a copy in host memory both ways");
        Assert.That(cost.BlockingWaits, Is.EqualTo(0), "nothing was queued, so nothing to wait for");
        Assert.That((cost.Uploads, cost.Downloads), Is.EqualTo((1L, 1L)));
        Assert.That(back, Is.EqualTo(values));
    }

    [Test]
    public void AnUploadBehindQueuedWorkLandsAfterIt([Values] bool shared)
    {
        const int n = 4096;
        _backend.PreferSharedMemory = shared;
        using DeviceBuffer buffer = _backend.Allocate(2 * n);
        _backend.PreferSharedMemory = true;
        float[] first = Ramp(2 * n, 1f), second = Ramp(n, -5f), back = new float[2 * n];
        _backend.Upload(buffer.All, first);
        _backend.Fill(buffer.All, 7f);                   // queued: the next upload must not land before it runs
        _backend.Upload(buffer.Slice(0, n), second);
        _backend.Copy(buffer.Slice(n, n), buffer.Slice(0, n));
        _backend.Download(back, buffer.All);
        for (int i = 0; i < n; i++)
        {
            Assert.That(back[i], Is.EqualTo(second[i]), $"element {i}");
            Assert.That(back[n + i], Is.EqualTo(second[i]), $"element {n + i}");
        }
    }

    [Test]
    public void ADownloadWaitsForTheQueuedWorkOnce([Values] bool shared)
    {
        _backend.PreferSharedMemory = shared;
        using DeviceBuffer buffer = _backend.Allocate(1000);
        _backend.PreferSharedMemory = true;
        float[] back = new float[1000];
        OpenClCounters before = _backend.Counters;
        _backend.Fill(buffer.All, 2.5f);
        _backend.Download(back, buffer.All);
        Assert.That((_backend.Counters - before).BlockingWaits, Is.EqualTo(1));
        Assert.That(back, Is.All.EqualTo(2.5f));
    }

    [Test]
    public void PredictOnSharedMemoryQueuesOnlyItsLaunch()
    {
        RequireSharing();
        using Brain shared = AgentBrain(true);
        using Brain device = AgentBrain(false);
        float[] x = Ramp(32 * 5, 0.01f), y = new float[8 * 5];
        shared.Predict(x, y, 5);
        device.Predict(x, y, 5);
        (long sharedCommands, OpenClCounters sharedCost) = Cost(() => shared.Predict(x, y, 5));
        (long deviceCommands, OpenClCounters deviceCost) = Cost(() => device.Predict(x, y, 5));
        Assert.That(sharedCommands, Is.EqualTo(1), "the launch; the input and output are copied in host memory");
        Assert.That(deviceCommands, Is.EqualTo(3), "write, launch, read");
        foreach (OpenClCounters cost in new[] { sharedCost, deviceCost })
        {
            Assert.That((cost.KernelLaunches, cost.BlockingWaits, cost.Uploads, cost.Downloads), Is.EqualTo((1L, 1L, 1L, 1L)));
        }
    }

    [Test]
    public void ATrainingStepOnSharedMemoryQueuesOnlyItsLaunches()
    {
        RequireSharing();
        using Brain shared = AgentBrain(true);
        using Brain device = AgentBrain(false);
        float[] x = Ramp(32 * 16, 0.02f), t = Ramp(8 * 16, 0.01f);
        foreach (Brain brain in new[] { shared, device })
        {
            brain.Train(x, t, 16);
            brain.Train(x, t, 16);
        }
        (long sharedCommands, OpenClCounters sharedCost) = Cost(() => shared.Train(x, t, 16));
        (long deviceCommands, OpenClCounters deviceCost) = Cost(() => device.Train(x, t, 16));
        Assert.That(sharedCommands, Is.EqualTo(sharedCost.KernelLaunches), "inputs, targets and the two partial sums are host copies");
        Assert.That(deviceCommands, Is.EqualTo(deviceCost.KernelLaunches + 4), "two writes and two reads besides the launches");
        foreach (OpenClCounters cost in new[] { sharedCost, deviceCost })
        {
            Assert.That((cost.BlockingWaits, cost.Uploads, cost.Downloads), Is.EqualTo((1L, 2L, 2L)));
        }
    }

    [Test]
    public void BrainsInSharedAndDeviceMemoryAgreeBitwise()
    {
        using Brain shared = AgentBrain(true);
        using Brain device = AgentBrain(false);
        var random = new SeededRandom(7);
        float[] x = new float[64 * 32], t = new float[64 * 8];
        for (int step = 0; step < 12; step++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = 2f * random.NextFloat() - 1f;
            for (int i = 0; i < t.Length; i++) t[i] = random.NextFloat();
            int batch = 1 + step * 5;
            float a = step % 3 == 2 ? shared.TrainPipelined(x, t, batch) : shared.Train(x, t, batch);
            float b = step % 3 == 2 ? device.TrainPipelined(x, t, batch) : device.Train(x, t, batch);
            Assert.That(BitConverter.SingleToInt32Bits(a), Is.EqualTo(BitConverter.SingleToInt32Bits(b)), $"loss of step {step}");
        }
        foreach (int batch in new[] { 1, 7, 17, 64 })
        {
            float[] ya = new float[batch * 8], yb = new float[batch * 8];
            shared.Predict(x.AsSpan(0, batch * 32), ya, batch);
            device.Predict(x.AsSpan(0, batch * 32), yb, batch);
            for (int i = 0; i < ya.Length; i++) Assert.That(BitConverter.SingleToInt32Bits(ya[i]), Is.EqualTo(BitConverter.SingleToInt32Bits(yb[i])), $"batch {batch}, output {i}");
        }
        float[] pa = new float[shared.ParameterCount], pb = new float[device.ParameterCount];
        shared.CopyParametersTo(pa);
        device.CopyParametersTo(pb);
        Assert.That(pa, Is.EqualTo(pb));
    }

    [Test]
    public void SharedStorageIsFreedWithItsBufferQueuedOrNot()
    {
        using OpenClBackend backend = TestBackends.CreateOpenCl();
        int before = backend.SharedAllocations;
        for (int i = 0; i < 200; i++)
        {
            using DeviceBuffer buffer = backend.Allocate(256 + i);
            if (i % 2 == 0) backend.Fill(buffer.All, i);     // disposed with its fill still queued
        }
        backend.Synchronize();
        Assert.That(backend.SharedAllocations, Is.EqualTo(before));
        DeviceBuffer outlives = backend.Allocate(32);
        backend.Dispose();
        Assert.That(backend.SharedAllocations, Is.EqualTo(0), "the backend frees what its live buffers held");
        Assert.DoesNotThrow(outlives.Dispose);
    }

    private Brain AgentBrain(bool shared)
    {
        _backend.PreferSharedMemory = shared;
        try
        {
            return Brain.Create(32).Dense(64, Activation.Tanh).Dense(64, Activation.Tanh).Dense(8, Activation.Linear)
                .Loss(Loss.MeanSquaredError).Optimizer(Optimizer.Adam(0.01f)).MaxBatch(64).Backend(_backend).Build(seed: 11);
        }
        finally
        {
            _backend.PreferSharedMemory = true;
        }
    }

    private (long Commands, OpenClCounters Cost) Cost(Action call)
    {
        long commands = _backend.CommandsQueued;
        OpenClCounters before = _backend.Counters;
        call();
        return (_backend.CommandsQueued - commands, _backend.Counters - before);
    }

    private void RequireSharing() =>
        Assume.That(_backend.Device.SharesHostMemory, Is.True, $"{_backend.Device.Name} does not share host memory (fine-grained SVM)");

    private static float[] Ramp(int n, float scale)
    {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) values[i] = scale * (i % 97) + 0.25f;
        return values;
    }
}
