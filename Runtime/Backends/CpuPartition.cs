using System;
using System.Collections.Generic;
using Cortex.Kernels;

namespace Cortex.Backends;

/// <summary>
/// Which participant of a <see cref="WorkerPool"/> owns which ranges of an array, so that passes over it (the
/// gradient norm, the optimizer step) touch on each core the parts that core's GEMMs wrote and will read next,
/// instead of pulling them across cores. Only the grouping of work depends on it, never a value: every range
/// and every block of the norm is computed exactly as the serial kernels do.
/// </summary>
internal sealed class CpuPartition
{
    private readonly int[] _rangeFirst, _rangeStart, _rangeLength, _blockFirst, _blocks;

    /// <summary>Builds the partition from ranges that tile [0, <paramref name="length"/>) exactly, each with its owner.</summary>
    /// <param name="participants">Threads of the pool.</param>
    /// <param name="length">Floats in the array.</param>
    /// <param name="ranges">(start, length, owner) triples, in any order, covering the array once.</param>
    public CpuPartition(int participants, int length, IReadOnlyList<(int Start, int Length, int Owner)> ranges)
    {
        Participants = participants;
        Length = length;
        var byOwner = new List<(int Start, int Length)>[participants];
        var blocksByOwner = new List<int>[participants];
        for (int t = 0; t < participants; t++)
        {
            byOwner[t] = new List<(int, int)>();
            blocksByOwner[t] = new List<int>();
        }
        long covered = 0;
        int block = ReductionKernels.SumOfSquaresBlock;
        foreach ((int start, int count, int owner) in ranges)
        {
            if (count <= 0) continue;
            if (start < 0 || start + count > length || owner < 0 || owner >= participants)
                throw new ArgumentOutOfRangeException(nameof(ranges), $"Range [{start}, {start + count}) of owner {owner} does not fit {length} floats and {participants} participants.");
            covered += count;
            byOwner[owner].Add((start, count));
            for (int b = (start + block - 1) / block; b * block < start + count; b++) blocksByOwner[owner].Add(b);   // blocks that start in the range
        }
        if (covered != length) throw new ArgumentException($"The ranges cover {covered} floats but the array holds {length}.", nameof(ranges));

        _rangeFirst = new int[participants + 1];
        _blockFirst = new int[participants + 1];
        var starts = new List<int>();
        var lengths = new List<int>();
        var blocks = new List<int>();
        for (int t = 0; t < participants; t++)
        {
            _rangeFirst[t] = starts.Count;
            foreach ((int s, int n) in byOwner[t])
            {
                starts.Add(s);
                lengths.Add(n);
            }
            _blockFirst[t] = blocks.Count;
            blocks.AddRange(blocksByOwner[t]);
        }
        _rangeFirst[participants] = starts.Count;
        _blockFirst[participants] = blocks.Count;
        _rangeStart = starts.ToArray();
        _rangeLength = lengths.ToArray();
        _blocks = blocks.ToArray();
    }

    /// <summary>Threads of the pool this partition is for.</summary>
    public int Participants { get; }

    /// <summary>Floats in the array.</summary>
    public int Length { get; }

    /// <summary>Range indices [first, end) owned by <paramref name="participant"/>.</summary>
    public (int First, int End) Ranges(int participant) => (_rangeFirst[participant], _rangeFirst[participant + 1]);

    /// <summary>Start of range <paramref name="index"/>.</summary>
    public int RangeStart(int index) => _rangeStart[index];

    /// <summary>Length of range <paramref name="index"/>.</summary>
    public int RangeLength(int index) => _rangeLength[index];

    /// <summary>Indices into <see cref="Block"/> [first, end) of the norm blocks owned by <paramref name="participant"/>.</summary>
    public (int First, int End) Blocks(int participant) => (_blockFirst[participant], _blockFirst[participant + 1]);

    /// <summary>The <paramref name="index"/>-th owned norm block (a block of <see cref="ReductionKernels.SumOfSquaresBlock"/> floats).</summary>
    public int Block(int index) => _blocks[index];
}
