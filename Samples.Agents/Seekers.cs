using System;
using System.Runtime.InteropServices;

namespace Cortex.Samples.Agents;

/// <summary>What one seeker senses: unit direction and distance to its target, and to its nearest neighbour.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SeekerObservation
{
    public const int Size = 6;
    public float TargetX, TargetY, TargetDistance, NeighbourX, NeighbourY, NeighbourDistance;
}

/// <summary>The Q-values a seeker's brain returns: stay, up, down, left, right.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct SeekerActionValues
{
    public const int Size = 5;
    public float Stay, Up, Down, Left, Right;
}

/// <summary>
/// A 2-D arena where many agents sharing one brain learn to reach moving targets and keep clear of
/// each other. State lives in struct-of-arrays columns, as an ECS would keep it; the observation
/// column is handed to the brain in one batched call per tick.
/// </summary>
public sealed class SeekerArena
{
    public const float Size = 100f, Speed = 1.0f, ReachRadius = 2.0f, CollisionRadius = 1.5f, TargetSpeed = 0.25f;
    public const float ReachReward = 1f, CollisionPenalty = 0.25f, ProgressWeight = 0.1f;
    private static readonly float[] MoveX = { 0f, 0f, 0f, -1f, 1f };
    private static readonly float[] MoveY = { 0f, 1f, -1f, 0f, 0f };

    private readonly SeededRandom _random;
    private readonly int[] _cellStart, _cellNext;
    private const int Cells = 10;

    public SeekerArena(int agents, int targets, ulong seed)
    {
        if (agents < 2) throw new ArgumentOutOfRangeException(nameof(agents), agents, "The arena needs at least two agents.");
        if (targets < 1) throw new ArgumentOutOfRangeException(nameof(targets), targets, "The arena needs at least one target.");
        Agents = agents;
        Targets = targets;
        _random = new SeededRandom(seed);
        X = new float[agents]; Y = new float[agents]; Goal = new int[agents]; Distance = new float[agents];
        TargetX = new float[targets]; TargetY = new float[targets]; TargetVx = new float[targets]; TargetVy = new float[targets];
        Observations = new SeekerObservation[agents];
        _cellStart = new int[Cells * Cells];
        _cellNext = new int[agents];
        for (int t = 0; t < targets; t++) PlaceTarget(t);
        for (int a = 0; a < agents; a++)
        {
            X[a] = _random.NextFloat(0f, Size);
            Y[a] = _random.NextFloat(0f, Size);
            Goal[a] = _random.NextInt(targets);
        }
        for (int a = 0; a < agents; a++) Distance[a] = DistanceToGoal(a);
        Observe();
    }

    public int Agents { get; }
    public int Targets { get; }

    // Columns (struct of arrays).
    public float[] X { get; }
    public float[] Y { get; }
    public int[] Goal { get; }
    public float[] Distance { get; }
    public float[] TargetX { get; }
    public float[] TargetY { get; }
    public float[] TargetVx { get; }
    public float[] TargetVy { get; }
    public SeekerObservation[] Observations { get; }

    public long Reached { get; private set; }
    public long Collisions { get; private set; }

    /// <summary>The observation column as the flat floats a brain reads.</summary>
    public Span<float> ObservationFloats => MemoryMarshal.Cast<SeekerObservation, float>(Observations.AsSpan());

    /// <summary>Moves every agent by its action, moves the targets, and writes rewards and fresh observations.</summary>
    public void Step(ReadOnlySpan<int> actions, Span<float> rewards)
    {
        for (int a = 0; a < Agents; a++)
        {
            int move = actions[a];
            X[a] = Math.Clamp(X[a] + Speed * MoveX[move], 0f, Size);
            Y[a] = Math.Clamp(Y[a] + Speed * MoveY[move], 0f, Size);
        }
        for (int t = 0; t < Targets; t++)
        {
            TargetX[t] += TargetVx[t];
            TargetY[t] += TargetVy[t];
            if (TargetX[t] < 0f || TargetX[t] > Size) { TargetVx[t] = -TargetVx[t]; TargetX[t] = Math.Clamp(TargetX[t], 0f, Size); }
            if (TargetY[t] < 0f || TargetY[t] > Size) { TargetVy[t] = -TargetVy[t]; TargetY[t] = Math.Clamp(TargetY[t], 0f, Size); }
        }
        for (int a = 0; a < Agents; a++)
        {
            float d = DistanceToGoal(a);
            float reward = ProgressWeight * (Distance[a] - d);
            if (d < ReachRadius)
            {
                reward += ReachReward;
                Reached++;
                PlaceTarget(Goal[a]);
                Goal[a] = _random.NextInt(Targets);
                d = DistanceToGoal(a);
            }
            Distance[a] = d;
            rewards[a] = reward;
        }
        Observe();
        for (int a = 0; a < Agents; a++)
        {
            if (Observations[a].NeighbourDistance * NeighbourScale < CollisionRadius)
            {
                rewards[a] -= CollisionPenalty;
                Collisions++;
            }
        }
    }

    private const float NeighbourScale = 10f, TargetScale = 50f;

    /// <summary>Writes the observation column, finding nearest neighbours with a uniform grid.</summary>
    public void Observe()
    {
        Array.Fill(_cellStart, -1);
        for (int a = 0; a < Agents; a++)
        {
            int c = Cell(X[a], Y[a]);
            _cellNext[a] = _cellStart[c];
            _cellStart[c] = a;
        }
        for (int a = 0; a < Agents; a++)
        {
            ref SeekerObservation o = ref Observations[a];
            float dx = TargetX[Goal[a]] - X[a], dy = TargetY[Goal[a]] - Y[a];
            float d = MathF.Sqrt(dx * dx + dy * dy);
            o.TargetX = d > 1e-6f ? dx / d : 0f;
            o.TargetY = d > 1e-6f ? dy / d : 0f;
            o.TargetDistance = MathF.Min(d, TargetScale) / TargetScale;
            int cx = Math.Min(Cells - 1, (int)(X[a] / Size * Cells)), cy = Math.Min(Cells - 1, (int)(Y[a] / Size * Cells));
            float best = NeighbourScale * NeighbourScale, bx = 0f, by = 0f;
            for (int gy = Math.Max(0, cy - 1); gy <= Math.Min(Cells - 1, cy + 1); gy++)
            {
                for (int gx = Math.Max(0, cx - 1); gx <= Math.Min(Cells - 1, cx + 1); gx++)
                {
                    for (int b = _cellStart[gy * Cells + gx]; b >= 0; b = _cellNext[b])
                    {
                        if (b == a) continue;
                        float ex = X[b] - X[a], ey = Y[b] - Y[a], e2 = ex * ex + ey * ey;
                        if (e2 < best) { best = e2; bx = ex; by = ey; }
                    }
                }
            }
            float nd = MathF.Sqrt(best);
            o.NeighbourX = nd > 1e-6f && nd < NeighbourScale ? bx / nd : 0f;
            o.NeighbourY = nd > 1e-6f && nd < NeighbourScale ? by / nd : 0f;
            o.NeighbourDistance = MathF.Min(nd, NeighbourScale) / NeighbourScale;
        }
    }

    private static int Cell(float x, float y)
    {
        int cx = Math.Min(Cells - 1, (int)(x / Size * Cells)), cy = Math.Min(Cells - 1, (int)(y / Size * Cells));
        return cy * Cells + cx;
    }

    private float DistanceToGoal(int a)
    {
        float dx = TargetX[Goal[a]] - X[a], dy = TargetY[Goal[a]] - Y[a];
        return MathF.Sqrt(dx * dx + dy * dy);
    }

    private void PlaceTarget(int t)
    {
        TargetX[t] = _random.NextFloat(5f, Size - 5f);
        TargetY[t] = _random.NextFloat(5f, Size - 5f);
        float angle = _random.NextFloat(0f, 2f * MathF.PI);
        TargetVx[t] = TargetSpeed * MathF.Cos(angle);
        TargetVy[t] = TargetSpeed * MathF.Sin(angle);
    }
}
