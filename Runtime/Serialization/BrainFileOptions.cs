using System;
using System.Collections.Generic;

namespace Cortex;

/// <summary>How <see cref="Serialization.BrainFile"/> writes a brain.</summary>
public sealed class BrainSaveOptions
{
    /// <summary>
    /// Save the optimizer moments and step count so training resumes exactly (default true). Without
    /// them the file is smaller (a third of an Adam brain's) and a loaded brain starts its optimizer afresh
    /// (<see cref="Brain.Steps"/> = 0); predictions are the same either way.
    /// </summary>
    public bool IncludeOptimizerState { get; set; } = true;

    /// <summary>Name stored in the file; null keeps <see cref="Brain.Name"/>.</summary>
    public string? Name { get; set; }

    /// <summary>Entries stored with <see cref="Brain.UserData"/>'s (these win on equal keys); null for none.</summary>
    public IReadOnlyDictionary<string, string>? UserData { get; set; }

    /// <summary>The creation time written to the file; null for now. Fix it to get byte-identical files.</summary>
    public DateTimeOffset? Timestamp { get; set; }
}

/// <summary>How <see cref="Serialization.BrainFile"/> reads a brain.</summary>
public sealed class BrainLoadOptions
{
    /// <summary>Default limit of <see cref="MaxWorkspaceFloats"/>: 16 Mi floats (64 MiB).</summary>
    public const long DefaultMaxWorkspaceFloats = 1L << 24;

    private int? _maxBatch, _maxSequence;
    private long _maxWorkspaceFloats = DefaultMaxWorkspaceFloats;

    /// <summary>
    /// Build the loaded brain with this batch limit instead of the file's (e.g. 1 for a shipped brain that
    /// only thinks for one agent at a time); null keeps the file's.
    /// </summary>
    public int? MaxBatch
    {
        get => _maxBatch;
        set
        {
            if (value is int v && (v < 1 || v > BrainSpec.MaxBatchLimit))
            {
                throw new ArgumentOutOfRangeException(nameof(value), v, $"MaxBatch must lie in [1, {BrainSpec.MaxBatchLimit}].");
            }
            _maxBatch = value;
        }
    }

    /// <summary>
    /// For a <see cref="RecurrentBrain"/>: build it with this longest training sequence instead of the file's (e.g. 1 for a
    /// brain that only thinks); null keeps the file's. (<see cref="MaxBatch"/> sets its <see cref="RecurrentBrain.MaxAgents"/>.)
    /// </summary>
    public int? MaxSequence
    {
        get => _maxSequence;
        set
        {
            if (value is int v && (v < 1 || v > BrainSpec.MaxBatchLimit))
            {
                throw new ArgumentOutOfRangeException(nameof(value), v, $"MaxSequence must lie in [1, {BrainSpec.MaxBatchLimit}].");
            }
            _maxSequence = value;
        }
    }

    /// <summary>
    /// The largest workspace (activations and gradients for MaxBatch rows, in floats) a file may ask for.
    /// The workspace is the one allocation a brain file does not pay for with its own bytes, so a forged
    /// batch limit is refused here rather than allocated. Default <see cref="DefaultMaxWorkspaceFloats"/>.
    /// </summary>
    public long MaxWorkspaceFloats
    {
        get => _maxWorkspaceFloats;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "MaxWorkspaceFloats must be at least 1.");
            _maxWorkspaceFloats = value;
        }
    }

    /// <summary>Seed of the brain's generator when the file holds no generator state (format 1 writers always store it).</summary>
    public ulong Seed { get; set; }
}
