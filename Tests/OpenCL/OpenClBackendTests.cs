using System;
using System.Diagnostics;
using System.IO;
using Cortex.OpenCL;
using Cortex.Tensors;
using Cortex.Tests.Backends;
using NUnit.Framework;

namespace Cortex.Tests.OpenCL;

/// <summary>The OpenCL backend's lifetime, handle hygiene and errors.</summary>
[TestFixture]
public sealed class OpenClBackendTests
{
    private OpenClBackend _backend = null!;

    [OneTimeSetUp]
    public void CreateBackend() => _backend = TestBackends.CreateOpenCl();

    [OneTimeTearDown]
    public void DisposeBackend() => _backend?.Dispose();

    [Test]
    public void AnUploadIsQueuedFromStagingSoTheCallerMayReuseItsSpanAtOnce([Values] bool shared)
    {
        const int n = 1000;
        _backend.PreferSharedMemory = shared;
        using DeviceBuffer buffer = _backend.Allocate(3 * n);
        _backend.PreferSharedMemory = true;
        _backend.Fill(buffer.All, -1f);                               // queued work: the uploads go through the staging
        float[] source = new float[n];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < n; i++) source[i] = round * n + i;
            _backend.Upload(buffer.Slice(round * n, n), source);     // the next round overwrites source before the device has copied it
        }
        Array.Clear(source, 0, n);
        float[] back = new float[3 * n];
        _backend.Download(back, buffer.All);
        for (int i = 0; i < back.Length; i++) Assert.That(back[i], Is.EqualTo((float)i), $"element {i}");
    }

    [Test]
    public void UploadsWaitOnlyWhileTheStagingGrowsToWhatALoopNeeds()
    {
        // The staging ring: buffers in device memory (in shared memory an upload to an idle queue needs no staging).
        using OpenClBackend backend = TestBackends.CreateOpenCl();
        backend.PreferSharedMemory = false;
        const int n = 1024, uploads = 4;
        using DeviceBuffer buffer = backend.Allocate(uploads * n);
        float[] data = new float[n], one = new float[1];
        long[] waits = new long[3];
        for (int round = 0; round < waits.Length; round++)
        {
            for (int i = 0; i < n; i++) data[i] = round + i;
            OpenClCounters before = backend.Counters;
            for (int u = 0; u < uploads; u++) backend.Upload(buffer.Slice(u * n, n), data);
            waits[round] = (backend.Counters - before).BlockingWaits;
            backend.Download(one, buffer.Slice((uploads - 1) * n + 5, 1));      // a wait: every queued upload has run
            Assert.That(one[0], Is.EqualTo(round + 5f), $"round {round}");
        }
        Assert.That(backend.StagingIsPinned, Is.True, "the ring is a mapped CL_MEM_ALLOC_HOST_PTR buffer");
        Assert.That(waits[0], Is.GreaterThan(0), "the first round fills the staging and waits for room");
        Assert.That(waits[1], Is.EqualTo(0), "the grown staging holds a round");
        Assert.That(waits[2], Is.EqualTo(0));
    }

    [Test]
    public void DescribesItsDevice()
    {
        Assert.That(_backend.Device.IsUsable, Is.True);
        Assert.That(_backend.Name, Does.StartWith("opencl (").And.Contain(_backend.Device.Name));
        Assert.That(_backend.Device.ToString(), Does.Contain(_backend.Device.PlatformName).And.Contain("compute units"));
    }

    [Test]
    public void TenThousandBufferCyclesLeakNothing()
    {
        // A first round lets the driver's and the C allocator's pools reach their steady size, so the process
        // memory measured over the second round is not the allocator warming up.
        Cycle(_backend, 10_000);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveBefore = ClHandle.Live(ClHandleKind.Memory);
        uint contextReferences = _backend.ContextReferenceCount;
        long memoryBefore = PrivateMemory();
        Cycle(_backend, 10_000);
        Assert.That(ClHandle.Live(ClHandleKind.Memory), Is.EqualTo(liveBefore), "live cl_mem handles");
        Assert.That(_backend.ContextReferenceCount, Is.EqualTo(contextReferences), "the context's reference count (buffers retain it)");
        Assert.That(PrivateMemory() - memoryBefore, Is.LessThan(64L << 20), "process memory grew by more than 64 MiB");
    }

    [Test]
    public void ForgottenBuffersAreReleasedByTheirFinalizers()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveBefore = ClHandle.Live(ClHandleKind.Memory);
        AllocateAndForget(200);
        Assert.That(ClHandle.Live(ClHandleKind.Memory), Is.EqualTo(liveBefore + 200));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.That(ClHandle.Live(ClHandleKind.Memory), Is.EqualTo(liveBefore));
    }

    [Test]
    public void WholeBackendCyclesLeakNothing()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long[] before = LiveHandles();
        long memoryBefore = PrivateMemory();
        for (int i = 0; i < 8; i++)
        {
            using var backend = new OpenClBackend(_backend.Device);
            using DeviceBuffer buffer = backend.Allocate(300);
            backend.Gemm(buffer.Slice(0, 100), buffer.Slice(100, 100), buffer.Slice(200, 100), 10, 10, 10, false, true, false);
            Assert.That(backend.SumOfSquares(buffer.All), Is.EqualTo(0.0));
        }
        Assert.That(LiveHandles(), Is.EqualTo(before), "live contexts, queues, programs, kernels, buffers");
        Assert.That(PrivateMemory() - memoryBefore, Is.LessThan(256L << 20), "process memory grew by more than 256 MiB");
    }

    [Test]
    public void ADisposedBackendRefusesWorkButMayBeDisposedAgain()
    {
        var backend = new OpenClBackend(_backend.Device);
        DeviceBuffer buffer = backend.Allocate(10);
        backend.Dispose();
        Assert.That(() => backend.Allocate(1), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => backend.Fill(buffer.All, 1f), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(() => backend.Synchronize(), Throws.InstanceOf<ObjectDisposedException>());
        Assert.DoesNotThrow(backend.Dispose);
        Assert.DoesNotThrow(buffer.Dispose);
    }

    [Test]
    public void ADisposedBufferCannotBeUsed()
    {
        DeviceBuffer buffer = _backend.Allocate(10);
        BufferSlice slice = buffer.All;
        buffer.Dispose();
        Assert.That(() => _backend.Fill(slice, 1f), Throws.InstanceOf<ObjectDisposedException>());
    }

    [Test]
    public void BuffersOfAnotherOpenClBackendAreRejected()
    {
        using var other = new OpenClBackend(_backend.Device);
        using DeviceBuffer foreign = other.Allocate(4);
        using DeviceBuffer mine = _backend.Allocate(4);
        Assert.That(() => _backend.Copy(mine.All, foreign.All), Throws.ArgumentException.With.Property("ParamName").EqualTo("source")
            .And.Message.Contains("another OpenCL backend"));
    }

    [Test]
    public void ABufferLargerThanTheDeviceAllowsIsRefusedUpFront()
    {
        Assume.That(_backend.Device.MaxAllocationBytes, Is.LessThan((long)int.MaxValue * sizeof(float)));
        Assert.That(() => _backend.Allocate(int.MaxValue), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("largest buffer"));
    }

    [Test]
    public void ABuildFailureThrowsWithTheBuildLog()
    {
        var e = Assert.Throws<OpenClException>(() => _backend.CompileForTest("__kernel void broken(__global float* x) { x[0] = not_declared_anywhere; }", ""))!;
        Assert.That(e.ErrorName, Is.EqualTo("CL_BUILD_PROGRAM_FAILURE"));
        Assert.That(e.Call, Is.EqualTo("clBuildProgram"));
        Assert.That(e.Detail, Does.Contain("not_declared_anywhere"));
        Assert.That(e.Message, Does.Contain("CL_BUILD_PROGRAM_FAILURE").And.Contain("not_declared_anywhere"));
    }

    [Test]
    public void AGoodProgramBuildsAndIsReleased()
    {
        long before = ClHandle.Live(ClHandleKind.Program);
        using (ClHandle program = _backend.CompileForTest("__kernel void fine(__global float* x) { x[get_global_id(0)] = 1.0f; }", ""))
        {
            Assert.That(ClHandle.Live(ClHandleKind.Program), Is.EqualTo(before + 1));
        }
        Assert.That(ClHandle.Live(ClHandleKind.Program), Is.EqualTo(before));
    }

    [Test]
    public void StatusCodesAreNamedAsInTheHeaders()
    {
        Assert.That(OpenClException.NameOf(-52), Is.EqualTo("CL_INVALID_KERNEL_ARGS"));
        Assert.That(OpenClException.NameOf(-5), Is.EqualTo("CL_OUT_OF_RESOURCES"));
        Assert.That(OpenClException.NameOf(-1001), Is.EqualTo("CL_PLATFORM_NOT_FOUND_KHR"));
        Assert.That(OpenClException.NameOf(-12345), Is.EqualTo("CL_UNKNOWN_ERROR(-12345)"));
        var e = new OpenClException(-54, "clEnqueueNDRangeKernel(gemm_tiled)");
        Assert.That(e.Message, Is.EqualTo("clEnqueueNDRangeKernel(gemm_tiled) failed with CL_INVALID_WORK_GROUP_SIZE (-54)."));
        Assert.That(() => ClCheck.Status(-38, "clEnqueueReadBuffer"),
            Throws.InstanceOf<OpenClException>().With.Property("ErrorName").EqualTo("CL_INVALID_MEM_OBJECT").And.Property("Call").EqualTo("clEnqueueReadBuffer"));
        Assert.DoesNotThrow(() => ClCheck.Status(0, "clFinish"));
    }

    [Test]
    public void LargeProductsUseTheBlockedKernelWhereTheDeviceAllowsIt()
    {
        Assert.That(_backend.HasBlockedGemm, Is.EqualTo(_backend.Device.MaxWorkGroupSize >= 256));
    }

    // Every GEMM variant the tuning may choose adds the k products in the same order: bitwise the tiled kernel.
    [Test]
    public void EveryGemmVariantAgreesBitwiseWithTheTiledKernel([Values(false, true)] bool transposeA, [Values(false, true)] bool transposeB, [Values(1, 17, 65)] int k)
    {
        const int m = 129, n = 70;
        var random = new SeededRandom(3);
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < b.Length; i++) b[i] = random.NextFloat(-1f, 1f);
        using DeviceBuffer sa = _backend.Allocate(a.Length), sb = _backend.Allocate(b.Length), c = _backend.Allocate(2 * m * n);
        _backend.Upload(sa.All, a);
        _backend.Upload(sb.All, b);
        float[] tiled = new float[m * n], variant = new float[m * n];
        _backend.PreferBlockedGemm = false;
        try
        {
            _backend.Gemm(c.Slice(m * n, m * n), sa.All, sb.All, m, n, k, transposeA, transposeB, false);
        }
        finally
        {
            _backend.PreferBlockedGemm = true;
        }
        _backend.Download(tiled, c.Slice(m * n, m * n));
        Assert.That(_backend.GemmVariantNames, Has.Count.GreaterThan(_backend.HasBlockedGemm ? 4 : 0));
        try
        {
            foreach (string name in _backend.GemmVariantNames)
            {
                _backend.ForceGemmVariant(name);
                _backend.Fill(c.Slice(0, m * n), float.NaN);
                _backend.Gemm(c.Slice(0, m * n), sa.All, sb.All, m, n, k, transposeA, transposeB, false);
                _backend.Download(variant, c.Slice(0, m * n));
                Assert.That(variant, Is.EqualTo(tiled), $"{name}: the k products in the same order");
                Assert.That(_backend.GemmVariant, Is.EqualTo(name));
            }
        }
        finally
        {
            _backend.ForceGemmVariant(null);
        }
    }

    // The same on the shapes where tiles are cut (m, n not multiples of any tile, a single row or column, k shorter and
    // longer than one block, or none), adding to c, and with the dense layer's epilogue (bias + activation in the same launch).
    [Test]
    public void EveryGemmVariantAgreesBitwiseWithTheTiledKernelOnEdgesWhenAccumulatingAndWithTheEpilogue(
        [Values(1, 7, 65, 300)] int m, [Values(1, 33, 70)] int n, [Values(0, 3, 83, 130)] int k)
    {
        var random = new SeededRandom((ulong)(m * 1000 + n * 10 + k));
        float[] a = new float[m * k], b = new float[k * n], start = new float[m * n], bias = new float[n];
        for (int i = 0; i < a.Length; i++) a[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < b.Length; i++) b[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < start.Length; i++) start[i] = random.NextFloat(-1f, 1f);
        for (int i = 0; i < bias.Length; i++) bias[i] = random.NextFloat(-0.5f, 0.5f);
        using DeviceBuffer sa = _backend.Allocate(a.Length), sb = _backend.Allocate(b.Length), sbias = _backend.Allocate(n);
        using DeviceBuffer c = _backend.Allocate(m * n), y = _backend.Allocate(m * n);
        _backend.Upload(sa.All, a);
        _backend.Upload(sb.All, b);
        _backend.Upload(sbias.All, bias);
        Activation[] activations = { Activation.Linear, Activation.Tanh, Activation.Relu, Activation.Sigmoid, Activation.LeakyRelu };

        // Every product of the case, each result appended: four transposes (c = op(a)·op(b), then c += op(a)·op(b)),
        // then the dense forward (x = a (m, k), weight = b as (n, k)) with and without bias for each activation.
        float[] Run()
        {
            var results = new System.Collections.Generic.List<float>();
            float[] back = new float[m * n];
            void Keep(DeviceBuffer buffer)
            {
                _backend.Download(back, buffer.All);
                results.AddRange(back);
            }
            foreach (bool transposeA in new[] { false, true })
            {
                foreach (bool transposeB in new[] { false, true })
                {
                    _backend.Fill(c.All, float.NaN);
                    _backend.Gemm(c.All, sa.All, sb.All, m, n, k, transposeA, transposeB, false);
                    Keep(c);
                    _backend.Upload(c.All, start);
                    _backend.Gemm(c.All, sa.All, sb.All, m, n, k, transposeA, transposeB, true);
                    Keep(c);
                }
            }
            foreach (Activation activation in activations)
            {
                foreach (bool hasBias in new[] { false, true })
                {
                    _backend.Fill(c.All, float.NaN);
                    _backend.Fill(y.All, float.NaN);
                    _backend.DenseForward(y.All, c.All, sa.All, sb.All, hasBias ? sbias.All : default, activation, m, n, k);
                    Keep(c);
                    Keep(y);
                }
            }
            return results.ToArray();
        }

        _backend.PreferBlockedGemm = false;
        float[] tiled;
        try
        {
            tiled = Run();
        }
        finally
        {
            _backend.PreferBlockedGemm = true;
        }
        Assert.That(tiled, Has.None.NaN, "every output written");
        try
        {
            foreach (string name in _backend.GemmVariantNames)
            {
                _backend.ForceGemmVariant(name);
                float[] variant = Run();
                for (int i = 0; i < tiled.Length; i++)
                {
                    if (BitConverter.SingleToInt32Bits(variant[i]) != BitConverter.SingleToInt32Bits(tiled[i]))
                    {
                        Assert.Fail($"{name}: output {i} of the case ({i / (m * n)}th product) is {variant[i]:R}, the tiled kernel's {tiled[i]:R}");
                    }
                }
            }
        }
        finally
        {
            _backend.ForceGemmVariant(null);
        }
    }

    // On a CPU device the lanes kernels are variants too, and every product, however small, runs on the chosen variant;
    // elsewhere products below 64 rows or columns stay on the tiled kernel and choose nothing.
    [Test]
    public void OnACpuDeviceEveryProductRunsOnTheChosenVariant()
    {
        bool cpu = _backend.Device.Type == OpenClDeviceType.Cpu;
        Assert.That(_backend.TunesEveryProduct, Is.EqualTo(cpu));
        Assert.That(_backend.GemmVariantNames, cpu ? Has.Some.StartsWith("lanes ") : Has.None.StartsWith("lanes "));
        using var backend = new OpenClBackend(_backend.Device);
        using DeviceBuffer a = backend.Allocate(10 * 10), c = backend.Allocate(10 * 10);
        backend.Fill(a.All, 0.5f);
        Assert.That(backend.GemmVariant, Is.EqualTo(""));
        backend.Gemm(c.All, a.All, a.All, 10, 10, 10, false, true, false);
        Assert.That(backend.GemmVariant, cpu ? Is.Not.Empty : Is.Empty);
        float[] back = new float[100];
        backend.Download(back, c.All);
        Assert.That(back, Is.All.EqualTo(2.5f));
    }

    // The first large product measures the variants once per device and driver; the choice is remembered in the
    // process and, when asked, in a tuning file that a later process (here: after forgetting) reads instead of measuring.
    [Test]
    public void TheGemmVariantIsMeasuredOnceAndKeptInTheTuningFile()
    {
        string file = Path.Combine(Path.GetTempPath(), $"cortex-gemm-{Guid.NewGuid():N}.tsv");
        string? previous = OpenClBackend.GemmTuningFile;
        OpenClGemmTuning.Clear();
        OpenClBackend.GemmTuningFile = file;
        try
        {
            string measured;
            using (var backend = new OpenClBackend(_backend.Device))
            {
                Assert.That(backend.GemmVariant, Is.EqualTo(""), "not chosen before the first large product");
                using DeviceBuffer a = backend.Allocate(64 * 64), c = backend.Allocate(64 * 64);
                backend.Gemm(c.All, a.All, a.All, 64, 64, 64, false, false, false);
                measured = backend.GemmVariant;
                Assert.That(backend.GemmVariantNames, Does.Contain(measured));
            }
            Assert.That(OpenClDevice.Listing(new[] { _backend.Device }), Does.Contain(measured), "the listing shows the choice");
            string[] lines = File.ReadAllLines(file);
            Assert.That(lines, Has.Length.EqualTo(1));
            Assert.That(lines[0], Does.EndWith("\t" + measured).And.Contain(_backend.Device.Name).And.Contain(_backend.Device.DriverVersion));

            // Another process would read the file: a line naming another variant wins over measuring again.
            string other = _backend.GemmVariantNames[_backend.GemmVariantNames.Count - 1] == measured ? _backend.GemmVariantNames[0] : _backend.GemmVariantNames[_backend.GemmVariantNames.Count - 1];
            File.WriteAllText(file, lines[0].Substring(0, lines[0].LastIndexOf('\t')) + "\t" + other + "\n");
            OpenClGemmTuning.Clear();
            using (var backend = new OpenClBackend(_backend.Device))
            {
                using DeviceBuffer a = backend.Allocate(64 * 64), c = backend.Allocate(64 * 64);
                backend.Gemm(c.All, a.All, a.All, 64, 64, 64, false, false, false);
                Assert.That(backend.GemmVariant, Is.EqualTo(other));
            }
        }
        finally
        {
            OpenClBackend.GemmTuningFile = previous;
            OpenClGemmTuning.Clear();
            File.Delete(file);
        }
    }

    private void AllocateAndForget(int count)
    {
        for (int i = 0; i < count; i++) _backend.Allocate(64);
    }

    private static long[] LiveHandles()
    {
        long[] live = new long[5];
        for (int i = 0; i < live.Length; i++) live[i] = ClHandle.Live((ClHandleKind)i);
        return live;
    }

    private static void Cycle(OpenClBackend backend, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using DeviceBuffer buffer = backend.Allocate(1024 + i % 7);
            if (i % 1000 == 0) backend.Fill(buffer.All, i);
        }
        backend.Synchronize();
    }

    private static long PrivateMemory()
    {
        using Process self = Process.GetCurrentProcess();
        return self.PrivateMemorySize64;
    }
}
