using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using Cortex.Backends;
using Cortex.Kernels;
using Cortex.Tensors;
using Silk.NET.OpenCL;

namespace Cortex.OpenCL;

/// <summary>
/// <see cref="IBackend"/> on any OpenCL device (GPU, CPU or accelerator, any vendor). Parameters,
/// gradients, optimizer moments and workspaces live in device buffers (<see cref="OpenClBuffer"/>) for
/// the life of a brain; the host uploads inputs and targets, and reads back only what it asks for
/// (<see cref="Download"/>, the loss, the gradient norm). Work is queued in order on one command
/// queue; the calls that return a value wait for it, <see cref="Synchronize"/> waits explicitly.
/// </summary>
/// <remarks>
/// The backend owns its context, queue, program and kernels and releases them on <see cref="Dispose"/>.
/// The kernels (embedded <c>Kernels/*.cl</c>) are compiled once, when the backend is created. Calls
/// are serialised by a lock, so several brains may share a backend, but the queue is in order: work
/// from different threads does not overlap.
/// </remarks>
public sealed partial class OpenClBackend : IBackend
{
    private const string ResourcePrefix = "Cortex.OpenCL.Kernels.";
    private const int MaxPartials = 64;
    private const int BlockedGemmMinimum = 64;
    private const int ContextPlatform = 0x1084;
    private const int MaxStagingFloats = 16 << 20;

    private static readonly Lazy<KeyValuePair<string, string>[]> Sources = new(LoadSources);

    private readonly object _sync = new();
    private readonly CL _api;
    private readonly List<ClHandle> _owned = new();
    private readonly ClHandle _context, _queue, _program;
    private readonly ClHandle _gruForward, _gruBackward, _fill, _copy, _copyOverlapping, _lerp, _gemmTiled, _biasActivation, _biasSoftmax, _activationBackward,
        _softmaxBackward, _columnSum, _lossRows, _lossStep, _lossBackwardElements, _lossBackwardRows, _reduceSum, _stepScale, _gradientDescent, _momentum, _adam, _fusedForward, _fusedForwardLanes;
    private readonly GemmKernel[] _gemmVariants;
    private GemmKernel? _gemmChosen;
    private readonly int _tile, _local, _reduceGroup, _fusedGroup;
    private readonly float[] _hostPartials = new float[MaxPartials];
    private readonly OpenClBuffer _partials;
    private OpenClBuffer? _rowLosses;
    private ClHandle? _kernel;
    private uint _argument;
    private long _launches, _uploads, _bytesUploaded, _downloads, _bytesDownloaded, _synchronizations, _blockingWaits, _earlierWorkWaits;
    private bool _disposed;
    private nint _staging;
    private int _stagingCapacity;
    private long _stagingHead, _stagingTail;

    /// <summary>Creates a backend on the best usable OpenCL device (GPUs first; see <see cref="OpenClDeviceSelector"/>).</summary>
    /// <exception cref="OpenClUnavailableException">No OpenCL library, platform or usable device.</exception>
    public OpenClBackend() : this(OpenClDeviceSelector.Best)
    {
    }

    /// <summary>Creates a backend on the device <paramref name="selector"/> picks from <see cref="OpenClDevice.All"/>.</summary>
    /// <param name="selector">Which device, e.g. <c>OpenClDeviceSelector.OfType(OpenClDeviceType.Gpu)</c>.</param>
    /// <exception cref="OpenClUnavailableException">No OpenCL library, platform, or no usable device matches.</exception>
    public OpenClBackend(OpenClDeviceSelector selector) : this(OpenClLibrary.Api, selector)
    {
    }

    /// <summary>Creates a backend on a device from <see cref="OpenClDevice.All"/>.</summary>
    /// <param name="device">The device.</param>
    public OpenClBackend(OpenClDevice device) : this(OpenClLibrary.Api, device ?? throw new ArgumentNullException(nameof(device)))
    {
    }

    internal OpenClBackend(CL api, OpenClDeviceSelector selector) : this(api, Resolve(api, selector))
    {
    }

    internal unsafe OpenClBackend(CL api, OpenClDevice device)
    {
        if (!device.IsUsable) throw new OpenClUnavailableException($"OpenCL device {device} is not available or has no compiler.", device.ToString());
        _api = api;
        Device = device;
        int max = Math.Max(1, device.MaxWorkGroupSize);
        _tile = max >= 256 ? 16 : max >= 64 ? 8 : max >= 16 ? 4 : 1;
        _local = Math.Min(64, max);
        _reduceGroup = 1;
        while (_reduceGroup * 2 <= Math.Min(256, max)) _reduceGroup *= 2;
        try
        {
            int status;
            nint deviceId = device.DeviceId;
            nint* properties = stackalloc nint[] { ContextPlatform, device.PlatformId, 0 };
            nint context = api.CreateContext(properties, 1, &deviceId, null, null, &status);
            ClCheck.Status(status, "clCreateContext");
            _context = Own(context, ClHandleKind.Context, "context");
            nint queue = api.CreateCommandQueue(context, deviceId, CommandQueueProperties.None, &status);
            ClCheck.Status(status, "clCreateCommandQueue");
            _queue = Own(queue, ClHandleKind.CommandQueue, "queue");

            string options = string.Format(CultureInfo.InvariantCulture, "-D GEMM_TILE={0} -D REDUCE_GROUP={1} -D FUSED_LANES={2} -D FUSED_MAX_WIDTH={3}", _tile, _reduceGroup, FusedLanes, FusedLanesMaxWidth);
            if (device.HasCorrectlyRoundedDivideSqrt) options += " -cl-fp32-correctly-rounded-divide-sqrt";
            if (device.Type == OpenClDeviceType.Cpu) options += " -D CORTEX_LANES_GEMM";   // GemmLanes.cl: built (and run) on CPU devices only
            _program = BuildProgram(SourceTexts(), options);
            _owned.Add(_program);
            _fill = Kernel("fill");
            _copy = Kernel("copy");
            _copyOverlapping = Kernel("copy_overlapping");
            _lerp = Kernel("lerp");
            _gruForward = Kernel("gru_gates_forward");
            _gruBackward = Kernel("gru_gates_backward");
            _gemmTiled = Kernel("gemm_tiled");
            _biasActivation = Kernel("bias_activation_forward");
            _biasSoftmax = Kernel("bias_softmax_forward");
            _activationBackward = Kernel("activation_backward");
            _softmaxBackward = Kernel("softmax_backward");
            _columnSum = Kernel("column_sum");
            _lossRows = Kernel("loss_rows");
            _lossStep = Kernel("loss_rows_and_gradient");
            _lossBackwardElements = Kernel("loss_backward_elements");
            _lossBackwardRows = Kernel("loss_backward_rows");
            _reduceSum = Kernel("reduce_sum");
            _stepScale = Kernel("step_scale");
            _gradientDescent = Kernel("gradient_descent");
            _momentum = Kernel("momentum");
            _adam = Kernel("adam");
            _fusedForward = Kernel("fused_forward");
            _fusedForwardLanes = Kernel("fused_forward_lanes");
            FusedOnLanes = device.Type == OpenClDeviceType.Cpu;
            _fusedGroup = (int)Math.Min(_local, KernelWorkGroupSize(_fusedForward));
            var variants = new List<GemmKernel> { new("tiled", _gemmTiled, 0, _tile) };
            foreach ((string name, string kernel, int threads, int work) in new[]
            {
                ("blocked 16x4", "gemm_blocked", 16, 4), ("blocked 16x2", "gemm_blocked_16x2", 16, 2),
                ("blocked 8x8", "gemm_blocked_8x8", 8, 8), ("blocked 8x4", "gemm_blocked_8x4", 8, 4),
            })
            {
                if (max < threads * threads) continue;
                ClHandle handle = Kernel(kernel);
                if (KernelWorkGroupSize(handle) >= threads * threads) variants.Add(new GemmKernel(name, handle, threads, threads * work));
            }
            if (device.Type == OpenClDeviceType.Cpu)
            {
                foreach ((string name, string kernel, int rows) in new[]
                {
                    ("lanes 64x16/4", "gemm_lanes_64x16_r4", 64), ("lanes 48x16/6", "gemm_lanes_48x16_r6", 48),
                    ("lanes 32x16/8", "gemm_lanes_32x16_r8", 32), ("lanes 64x16/8", "gemm_lanes_64x16_r8", 64),
                })
                {
                    variants.Add(GemmKernel.Lanes(name, Kernel(kernel), rows));
                }
            }
            _gemmVariants = variants.ToArray();
            _partials = (OpenClBuffer)Allocate(MaxPartials);
        }
        catch
        {
            ReleaseOwned();
            throw;
        }
    }

    /// <summary>The device the backend runs on.</summary>
    public OpenClDevice Device { get; }

    /// <inheritdoc />
    public string Name => $"opencl ({Device.Name}, {Device.PlatformName})";

    /// <summary>Kernel launches and host transfers so far (see <see cref="OpenClCounters"/>).</summary>
    public OpenClCounters Counters
    {
        get
        {
            lock (_sync) return new OpenClCounters(_launches, _uploads, _bytesUploaded, _downloads, _bytesDownloaded, _synchronizations) { BlockingWaits = _blockingWaits, EarlierWorkWaits = _earlierWorkWaits };
        }
    }

    /// <summary>True when the default register-blocked GEMM variant (16 x 16 work-items) runs here (the device allows 256-item work-groups).</summary>
    internal bool HasBlockedGemm => Find("blocked 16x4") is not null;

    /// <summary>True when every product runs on the chosen variant (CPU devices), not only the large ones.</summary>
    internal bool TunesEveryProduct => Device.Type == OpenClDeviceType.Cpu;

    /// <summary>Lets tests and benchmarks run the products the chosen variant would run on the plain tiled kernel (default true: the chosen variant).</summary>
    internal bool PreferBlockedGemm { get; set; } = true;

    /// <summary>The context's reference count as the driver reports it (each live buffer may hold one): for leak tests.</summary>
    internal unsafe uint ContextReferenceCount
    {
        get
        {
            lock (_sync)
            {
                ThrowIfDisposed();
                uint count = 0;
                ClCheck.Status(_api.GetContextInfo(_context.Value, ContextInfo.ReferenceCount, sizeof(uint), &count, null), "clGetContextInfo");
                return count;
            }
        }
    }

    /// <inheritdoc />
    public unsafe DeviceBuffer Allocate(int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "A buffer length must be non-negative.");
        lock (_sync)
        {
            ThrowIfDisposed();
            if (length == 0) return new OpenClBuffer(this, 0, null);
            long bytes = (long)length * sizeof(float);
            if (bytes > Device.MaxAllocationBytes)
            {
                throw new ArgumentOutOfRangeException(nameof(length), length,
                    $"{length} floats ({bytes} bytes) exceed the largest buffer {Device.Name} allows ({Device.MaxAllocationBytes} bytes).");
            }
            if (AllocatesShared) return AllocateShared(length, bytes);
            int status;
            nint memory = _api.CreateBuffer(_context.Value, MemFlags.ReadWrite, (nuint)bytes, null, &status);
            ClCheck.Status(status, "clCreateBuffer");
            var buffer = new OpenClBuffer(this, length, new ClHandle(_api, memory, ClHandleKind.Memory, "buffer"));
            FillCore(buffer.All, 0f);
            return buffer;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Never waits for the device; the caller may reuse the span at once. Where the device shares the host's memory and
    /// no queued command is outstanding (e.g. after the wait of the previous Predict), the span is copied straight into
    /// the buffer: no command at all. Otherwise it is copied into the backend's host staging memory and the device copy
    /// is queued. The staging memory is a ring: what a copy read is reused once the host knows the copy has run (any
    /// blocking call, or the completed read of a pipelined training step, since the queue is in order); only when it is
    /// full does an upload wait (and the staging grows, so a steady loop stops waiting).
    /// </remarks>
    public unsafe void Upload(BufferSlice destination, ReadOnlySpan<float> source)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(destination, nameof(destination));
            if (source.Length == 0) return;
            if (QueueIdle && destination.Buffer is OpenClBuffer shared && shared.Host != null)
            {
                source.CopyTo(new Span<float>(shared.Host + destination.Offset, source.Length));
            }
            else if (source.Length > MaxStagingFloats)
            {
                fixed (float* p = source)
                {
                    // Too large to stage: blocking, since the span may move or die as soon as this returns.
                    ClCheck.Status(_api.EnqueueWriteBuffer(_queue.Value, Memory(destination), true, Bytes(destination.Offset), Bytes(source.Length), p, 0, null, null),
                        "clEnqueueWriteBuffer");
                }
                _commands++;
                _blockingWaits++;
                QueueDrained();
            }
            else
            {
                float* staged = Stage(source.Length);
                source.CopyTo(new Span<float>(staged, source.Length));
                ClCheck.Status(_api.EnqueueWriteBuffer(_queue.Value, Memory(destination), false, Bytes(destination.Offset), Bytes(source.Length), staged, 0, null, null),
                    "clEnqueueWriteBuffer");
                _commands++;
            }
            _uploads++;
            _bytesUploaded += (long)source.Length * sizeof(float);
        }
    }

    /// <inheritdoc />
    public void Download(Span<float> destination, BufferSlice source)
    {
        Check.SameLength(destination.Length, source.Length, nameof(destination), nameof(source));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(source, nameof(source));
            Read(destination, source);
        }
    }

    /// <inheritdoc />
    public void Copy(BufferSlice destination, BufferSlice source)
    {
        Check.SameLength(source.Length, destination.Length, nameof(source), nameof(destination));
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(destination, nameof(destination));
            Own(source, nameof(source));
            CopyCore(destination, source);
        }
    }

    /// <inheritdoc />
    public void Fill(BufferSlice destination, float value)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            Own(destination, nameof(destination));
            FillCore(destination, value);
        }
    }

    /// <inheritdoc />
    public void Synchronize()
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
            _synchronizations++;
            _blockingWaits++;
            QueueDrained();
        }
    }

    /// <summary>Waits for queued work, then releases the kernels, program, queue, context and the backend's scratch buffers.</summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
            }
            finally
            {
                FreeStaging();
                _rowLosses?.Dispose();
                _partials.Dispose();
                FreeAllShared();
                ReleaseOwned();
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Compiles OpenCL C source for this backend's device; a failed build throws an <see cref="OpenClException"/> carrying the build log.</summary>
    internal ClHandle CompileForTest(string source, string options)
    {
        lock (_sync)
        {
            ThrowIfDisposed();
            return BuildProgram(new[] { source }, options);
        }
    }

    private static OpenClDevice Resolve(CL api, OpenClDeviceSelector selector)
    {
        IReadOnlyList<OpenClDevice> devices = OpenClDevice.Enumerate(api);
        if (devices.Count == 0)
        {
            throw new OpenClUnavailableException("No OpenCL platform or device was found.",
                $"the OpenCL library loaded but reported no platform with a device (looking for {selector}).");
        }
        return selector.Choose(devices) ?? throw new OpenClUnavailableException($"No usable OpenCL device matches {selector}.",
            "these devices:" + Environment.NewLine + OpenClDevice.Listing(devices));
    }

    private static KeyValuePair<string, string>[] LoadSources()
    {
        Assembly assembly = typeof(OpenClBackend).Assembly;
        var sources = new List<KeyValuePair<string, string>>();
        foreach (string name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".cl", StringComparison.Ordinal)) continue;
            using Stream stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            sources.Add(new KeyValuePair<string, string>(name, reader.ReadToEnd()));
        }
        // Common.cl (shared definitions and the FP_CONTRACT pragma) first, then the ops by name: one translation unit.
        sources.Sort((a, b) =>
        {
            bool ac = a.Key == ResourcePrefix + "Common.cl", bc = b.Key == ResourcePrefix + "Common.cl";
            return ac != bc ? (ac ? -1 : 1) : string.CompareOrdinal(a.Key, b.Key);
        });
        return sources.ToArray();
    }

    private static string[] SourceTexts()
    {
        KeyValuePair<string, string>[] sources = Sources.Value;
        string[] texts = new string[sources.Length];
        for (int i = 0; i < texts.Length; i++) texts[i] = $"// ---- {sources[i].Key}\n{sources[i].Value}\n";
        return texts;
    }

    private unsafe ClHandle BuildProgram(string[] sources, string options)
    {
        int status;
        nint program = _api.CreateProgramWithSource(_context.Value, (uint)sources.Length, sources, (nuint*)null, &status);
        ClCheck.Status(status, "clCreateProgramWithSource");
        var handle = new ClHandle(_api, program, ClHandleKind.Program, "program");
        nint deviceId = Device.DeviceId;
        status = _api.BuildProgram(program, 1, &deviceId, options, null, null);
        if (status != 0)
        {
            string log = BuildLog(program);
            handle.Dispose();
            throw new OpenClException(status, "clBuildProgram", $"Build log for {Device.Name} (options \"{options}\"):{Environment.NewLine}{log}");
        }
        return handle;
    }

    private unsafe string BuildLog(nint program)
    {
        nuint size = 0;
        int status = _api.GetProgramBuildInfo(program, Device.DeviceId, ProgramBuildInfo.BuildLog, 0, null, &size);
        if (status != 0 || size == 0) return $"(no build log: {OpenClException.NameOf(status)})";
        byte[] bytes = new byte[(int)size];
        fixed (byte* p = bytes) status = _api.GetProgramBuildInfo(program, Device.DeviceId, ProgramBuildInfo.BuildLog, size, p, null);
        if (status != 0) return $"(no build log: {OpenClException.NameOf(status)})";
        return Encoding.UTF8.GetString(bytes).TrimEnd('\0', '\n', ' ');
    }

    private unsafe ClHandle Kernel(string name)
    {
        int status;
        nint kernel = _api.CreateKernel(_program.Value, name, &status);
        ClCheck.Status(status, "clCreateKernel", name);
        return Own(kernel, ClHandleKind.Kernel, name);
    }

    private unsafe long KernelWorkGroupSize(ClHandle kernel)
    {
        nuint size = 0;
        ClCheck.Status(_api.GetKernelWorkGroupInfo(kernel.Value, Device.DeviceId, KernelWorkGroupInfo.WorkGroupSize, (nuint)sizeof(nuint), &size, null),
            "clGetKernelWorkGroupInfo", kernel.Name);
        return (long)size;
    }

    private ClHandle Own(nint handle, ClHandleKind kind, string name)
    {
        var owned = new ClHandle(_api, handle, kind, name);
        _owned.Add(owned);
        return owned;
    }

    // Kernels and program first, then the queue, then the context (each object keeps what it needs alive anyway).
    private void ReleaseOwned()
    {
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }

    private void ThrowIfDisposed()
    {
        if (_disposed) throw new ObjectDisposedException(nameof(OpenClBackend));
    }

    // Checks that a slice belongs to this backend (the default slice is fine: it views nothing).
    private void Own(BufferSlice slice, string name)
    {
        if (slice.Buffer is null) return;
        if (slice.Buffer is not OpenClBuffer buffer || !ReferenceEquals(buffer.Owner, this))
        {
            string owner = slice.Buffer is OpenClBuffer other ? $"another OpenCL backend ({other.Owner.Name})" : $"a {slice.Buffer.GetType().Name}";
            throw new ArgumentException($"{name} belongs to {owner}, not to this OpenCL backend.", name);
        }
        if (buffer.IsDisposed) throw new ObjectDisposedException(nameof(OpenClBuffer), $"{name} views a disposed buffer.");
    }

    private static nint Memory(BufferSlice slice) => slice.Buffer is OpenClBuffer b ? b.Handle : 0;

    private static nuint Bytes(int floats) => (nuint)floats * sizeof(float);

    // Waits for the queued work (none when the queue is idle and the buffer is shared), then copies: a shared buffer is
    // read in place after clFinish, any other by a blocking read.
    private unsafe void Read(Span<float> destination, BufferSlice source)
    {
        if (destination.Length == 0) return;
        if (source.Buffer is OpenClBuffer shared && shared.Host != null)
        {
            if (!QueueIdle)
            {
                WaitForQueue();
                _blockingWaits++;
                QueueDrained();
            }
            new ReadOnlySpan<float>(shared.Host + source.Offset, destination.Length).CopyTo(destination);
        }
        else
        {
            fixed (float* p = destination)
            {
                ClCheck.Status(_api.EnqueueReadBuffer(_queue.Value, Memory(source), true, Bytes(source.Offset), Bytes(destination.Length), p, 0, null, null),
                    "clEnqueueReadBuffer");
                _commands++;
            }
            _blockingWaits++;
            QueueDrained();
        }
        _downloads++;
        _bytesDownloaded += (long)destination.Length * sizeof(float);
    }

    // Every command queued so far has run (a blocking call returned on the in-order queue): staging is free again, and
    // shared memory may be touched by the host.
    private void QueueDrained()
    {
        _stagingTail = _stagingHead;
        _completed = _commands;
    }

    // The staging position the commands queued so far have used up to; once a command queued now is known to have run
    // (its event completed), ReleaseStaging(mark) frees everything they read.
    private long StagingMark => _stagingHead;

    private void ReleaseStaging(long mark)
    {
        if (mark > _stagingTail) _stagingTail = mark;
    }

    // length floats of staging memory that no queued command still reads. The staging is a ring: [tail, head) (counted in
    // floats ever handed out, wrap gaps included) is still read by queued copies. When the free part is too small, waits for
    // the queue and grows the staging to what was in use plus the request.
    private unsafe float* Stage(int length)
    {
        if (!TryStage(length, out long at))
        {
            long inUse = _stagingHead - _stagingTail;
            int needed = (int)Math.Min(MaxStagingFloats, Math.Max(2L * _stagingCapacity, inUse + length));
            if (inUse > 0)
            {
                ClCheck.Status(_api.Finish(_queue.Value), "clFinish");
                _blockingWaits++;
                _completed = _commands;
            }
            _stagingHead = _stagingTail = 0;
            if (needed > _stagingCapacity) AllocateStaging(needed);
            at = 0;
            _stagingHead = length;
        }
        return (float*)_staging + at;
    }

    private bool TryStage(int length, out long at)
    {
        at = 0;
        if (_stagingCapacity == 0) return false;
        long position = _stagingHead % _stagingCapacity, inUse = _stagingHead - _stagingTail;
        long gap = position + length <= _stagingCapacity ? 0 : _stagingCapacity - position;
        if (inUse + gap + length > _stagingCapacity) return false;
        at = gap == 0 ? position : 0;
        _stagingHead += gap + length;
        return true;
    }

    private void FillCore(BufferSlice destination, float value)
    {
        if (destination.Length == 0) return;
        Begin(_fill);
        Push(destination);
        Push(destination.Length);
        Push(value);
        Run(destination.Length);
    }

    private void CopyCore(BufferSlice destination, BufferSlice source)
    {
        int n = source.Length;
        if (n == 0 || destination == source) return;
        bool overlap = ReferenceEquals(destination.Buffer, source.Buffer)
            && destination.Offset < source.Offset + n && source.Offset < destination.Offset + n;
        if (overlap)
        {
            Begin(_copyOverlapping);
            Push(destination);
            Push(source.Offset);
            Push(n);
            Run(1);
            return;
        }
        Begin(_copy);
        Push(destination);
        Push(source);
        Push(n);
        Run(n);
    }

    // Launch helpers: Begin, Push each argument in order (a slice pushes its cl_mem and its offset), then Run.
    private void Begin(ClHandle kernel)
    {
        _kernel = kernel;
        _argument = 0;
    }

    private unsafe void Push(BufferSlice slice)
    {
        nint memory = Memory(slice);
        ClCheck.Argument(_api.SetKernelArg(_kernel!.Value, _argument, (nuint)sizeof(nint), &memory), _kernel.Name, _argument);
        _argument++;
        Push(slice.Offset);
    }

    private unsafe void Push(int value)
    {
        ClCheck.Argument(_api.SetKernelArg(_kernel!.Value, _argument, sizeof(int), &value), _kernel.Name, _argument);
        _argument++;
    }

    private unsafe void Push(float value)
    {
        ClCheck.Argument(_api.SetKernelArg(_kernel!.Value, _argument, sizeof(float), &value), _kernel.Name, _argument);
        _argument++;
    }

    // A __local argument of the given size (the kernel's local memory, allocated per work-group by the driver).
    private unsafe void PushLocal(int bytes)
    {
        ClCheck.Argument(_api.SetKernelArg(_kernel!.Value, _argument, (nuint)Math.Max(bytes, sizeof(float)), (void*)null), _kernel.Name, _argument);
        _argument++;
    }

    private unsafe void PushMemory(OpenClBuffer buffer)
    {
        nint memory = buffer.Handle;
        ClCheck.Argument(_api.SetKernelArg(_kernel!.Value, _argument, (nuint)sizeof(nint), &memory), _kernel.Name, _argument);
        _argument++;
    }

    // One work-item per index in [0, count), in work-groups of _local.
    private void Run(int count) => Run(count, _local);

    private unsafe void Run(int count, int local)
    {
        nuint g = (nuint)(((long)count + local - 1) / local * local), l = (nuint)local;
        ClCheck.Status(_api.EnqueueNdrangeKernel(_queue.Value, _kernel!.Value, 1, null, &g, &l, 0, null, null), "clEnqueueNDRangeKernel", _kernel.Name);
        _launches++;
        _commands++;
    }

    private unsafe void Run2D(long globalX, long globalY, int localX, int localY)
    {
        nuint* g = stackalloc nuint[] { (nuint)globalX, (nuint)globalY };
        nuint* l = stackalloc nuint[] { (nuint)localX, (nuint)localY };
        ClCheck.Status(_api.EnqueueNdrangeKernel(_queue.Value, _kernel!.Value, 2, null, g, l, 0, null, null), "clEnqueueNDRangeKernel", _kernel.Name);
        _launches++;
        _commands++;
    }
}
