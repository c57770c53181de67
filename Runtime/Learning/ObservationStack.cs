using System;

namespace Cortex.Learning;

/// <summary>
/// Stacked observations (ML-Agents' "stacked vectors"): keeps the last <see cref="Frames"/> frames of one
/// agent and writes them newest first into an observation row of Frames × FrameSize floats. Allocates
/// nothing after construction.
/// </summary>
public sealed class ObservationStack
{
    private readonly float[] _frames;
    private int _newest = -1, _count;

    /// <summary>Creates an empty stack.</summary>
    /// <param name="frameSize">Floats per frame, at least 1.</param>
    /// <param name="frames">Frames kept, at least 1.</param>
    public ObservationStack(int frameSize, int frames)
    {
        if (frameSize < 1) throw new ArgumentOutOfRangeException(nameof(frameSize), frameSize, "frameSize must be at least 1.");
        if (frames < 1) throw new ArgumentOutOfRangeException(nameof(frames), frames, "frames must be at least 1.");
        FrameSize = frameSize;
        Frames = frames;
        _frames = new float[frameSize * frames];
    }

    /// <summary>Floats per frame.</summary>
    public int FrameSize { get; }

    /// <summary>Frames kept.</summary>
    public int Frames { get; }

    /// <summary>Floats of a stacked observation: Frames × FrameSize.</summary>
    public int Size => Frames * FrameSize;

    /// <summary>Adds the newest frame (the oldest drops out once the stack is full).</summary>
    /// <param name="frame">FrameSize floats.</param>
    public void Push(ReadOnlySpan<float> frame)
    {
        if (frame.Length != FrameSize) throw new ArgumentException($"frame holds {frame.Length} values but the stack's frames hold {FrameSize}.", nameof(frame));
        _newest = (_newest + 1) % Frames;
        frame.CopyTo(_frames.AsSpan(_newest * FrameSize, FrameSize));
        if (_count < Frames) _count++;
    }

    /// <summary>Forgets every frame (at an episode start); missing frames are written as zeros.</summary>
    public void Clear()
    {
        _newest = -1;
        _count = 0;
        Array.Clear(_frames, 0, _frames.Length);
    }

    /// <summary>Writes the frames newest first; frames not yet pushed are zeros.</summary>
    /// <param name="destination">At least <see cref="Size"/> floats.</param>
    public void CopyTo(Span<float> destination)
    {
        if (destination.Length < Size) throw new ArgumentException($"destination holds {destination.Length} values but {Size} are needed.", nameof(destination));
        for (int k = 0; k < Frames; k++)
        {
            Span<float> slot = destination.Slice(k * FrameSize, FrameSize);
            if (k >= _count) { slot.Clear(); continue; }
            int index = ((_newest - k) % Frames + Frames) % Frames;
            _frames.AsSpan(index * FrameSize, FrameSize).CopyTo(slot);
        }
    }
}
