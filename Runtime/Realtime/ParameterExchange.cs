using System;
using System.Threading;

namespace Cortex.Realtime;

/// <summary>
/// A lock-free triple buffer of parameter arrays between one writer (a training thread) and one reader
/// (the game thread). The writer fills its back buffer and swaps it into the middle with
/// <see cref="Interlocked.Exchange(ref int, int)"/>; the reader swaps the middle into its front buffer
/// when a newer one is there. Neither side ever waits for the other, and the reader's front buffer is never
/// written while it reads it, so it never sees torn weights. Each published buffer carries a version.
/// One reader and one writer: two threads acquiring (or pulling) at once would share the front buffer and
/// tear it, so overlapping calls on one side throw <see cref="InvalidOperationException"/> (docs/threading.md).
/// </summary>
public sealed class ParameterExchange
{
    private const int Fresh = 4, IndexMask = 3;

    private readonly float[][] _buffers;
    private readonly long[] _versions;
    private int _middle;          // shared: index of the middle buffer, | Fresh when the reader has not taken it yet
    private int _back, _front;    // owned by the writer and the reader
    private long _published;
    private readonly SingleThreadGuard _writer = new("ParameterExchange", "One thread at a time may publish (Publish, BackBuffer).");
    private readonly SingleThreadGuard _reader = new("ParameterExchange", "One thread at a time may acquire (TryAcquire, TryPull, Acquired); pull into one inference brain per exchange.");

    /// <summary>Creates an exchange whose every buffer starts as <paramref name="initial"/>, version 0.</summary>
    /// <param name="initial">The parameters the reader sees before the first publication (at least one float).</param>
    public ParameterExchange(ReadOnlySpan<float> initial)
    {
        if (initial.IsEmpty) throw new ArgumentException("initial holds no parameters.", nameof(initial));
        ParameterCount = initial.Length;
        _buffers = new float[3][];
        _versions = new long[3];
        for (int i = 0; i < 3; i++) _buffers[i] = initial.ToArray();
        _front = 0;
        _middle = 1;
        _back = 2;
    }

    /// <summary>Floats per parameter vector.</summary>
    public int ParameterCount { get; }

    /// <summary>Version of the newest publication (0 before the first). Any thread.</summary>
    public long PublishedVersion => Interlocked.Read(ref _published);

    /// <summary>Version of the buffer the reader holds (reader thread).</summary>
    public long AcquiredVersion => _versions[_front];

    /// <summary>The reader's current parameters (reader thread); stable until its next <see cref="TryAcquire"/>.</summary>
    public ReadOnlySpan<float> Acquired => _buffers[_front];

    /// <summary>Writer: the back buffer to fill before <see cref="Publish()"/>.</summary>
    public Span<float> BackBuffer => _buffers[_back];

    /// <summary>Writer: publishes the back buffer as the newest version and returns that version.</summary>
    public long Publish()
    {
        using SingleThreadGuard.Scope scope = _writer.Enter(nameof(Publish));
        long version = _published + 1;
        _versions[_back] = version;
        // The exchange is a full fence: the buffer and its version are visible before the index is.
        int previous = Interlocked.Exchange(ref _middle, _back | Fresh);
        _back = previous & IndexMask;
        Interlocked.Exchange(ref _published, version);
        return version;
    }

    /// <summary>Writer: copies <paramref name="source"/>'s parameters into the back buffer and publishes them.</summary>
    /// <param name="source">A brain with <see cref="ParameterCount"/> parameters.</param>
    public long Publish(Brain source)
    {
        using SingleThreadGuard.Scope scope = _writer.Enter(nameof(Publish));
        if (source is null) throw new ArgumentNullException(nameof(source));
        CheckCount(source.ParameterCount, nameof(source));
        source.CopyParametersTo(_buffers[_back]);
        return Publish();
    }

    /// <summary>Writer: copies <paramref name="parameters"/> into the back buffer and publishes them.</summary>
    /// <param name="parameters">Exactly <see cref="ParameterCount"/> floats.</param>
    public long Publish(ReadOnlySpan<float> parameters)
    {
        using SingleThreadGuard.Scope scope = _writer.Enter(nameof(Publish));
        CheckCount(parameters.Length, nameof(parameters));
        parameters.CopyTo(_buffers[_back]);
        return Publish();
    }

    /// <summary>Reader: takes the newest publication if there is one the reader has not seen. Returns true when it did.</summary>
    public bool TryAcquire()
    {
        using SingleThreadGuard.Scope scope = _reader.Enter(nameof(TryAcquire));
        if ((Volatile.Read(ref _middle) & Fresh) == 0) return false;
        int previous = Interlocked.Exchange(ref _middle, _front);
        _front = previous & IndexMask;
        return true;
    }

    /// <summary>
    /// Reader: takes the newest publication, if any, and loads it into <paramref name="destination"/> (an
    /// inference brain). Returns true when the brain's weights changed.
    /// </summary>
    /// <param name="destination">A brain with <see cref="ParameterCount"/> parameters, used by the reader thread only.</param>
    public bool TryPull(Brain destination)
    {
        using SingleThreadGuard.Scope scope = _reader.Enter(nameof(TryPull));
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        CheckCount(destination.ParameterCount, nameof(destination));
        if (!TryAcquire()) return false;
        destination.SetParameters(_buffers[_front]);
        return true;
    }

    private void CheckCount(int count, string name)
    {
        if (count != ParameterCount) throw new ArgumentException($"{name} has {count} parameters but the exchange carries {ParameterCount}.", name);
    }
}
