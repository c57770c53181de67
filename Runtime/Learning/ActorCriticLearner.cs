using System;

namespace Cortex.Learning;

/// <summary>How an actor-critic policy turns the actor's outputs into actions.</summary>
public enum PolicyKind : byte
{
    /// <summary>The actor outputs one logit per action (linear output layer); actions are sampled from softmax(logits).</summary>
    Discrete = 0,
    /// <summary>The actor outputs the mean of each action dimension (linear output layer); actions are mean + σ·N(0, 1) with a learned log σ per dimension.</summary>
    Gaussian = 1,
}

/// <summary>Hyperparameters of <see cref="ActorCriticLearner"/>.</summary>
public sealed class ActorCriticOptions
{
    /// <summary>Discount γ.</summary>
    public float Gamma { get; set; } = 0.99f;

    /// <summary>λ of generalised advantage estimation (1 gives Monte-Carlo-like returns, 0 one-step TD).</summary>
    public float Lambda { get; set; } = 0.95f;

    /// <summary>Steps per agent collected before each update.</summary>
    public int RolloutLength { get; set; } = 16;

    /// <summary>Weight of the entropy bonus that keeps the policy exploring.</summary>
    public float EntropyCoefficient { get; set; } = 0.01f;

    /// <summary>Standardise advantages over each rollout.</summary>
    public bool NormalizeAdvantages { get; set; } = true;

    /// <summary>Initial log σ of a Gaussian policy.</summary>
    public float InitialLogStd { get; set; } = -0.5f;

    /// <summary>Learning rate of the Gaussian log σ (plain gradient descent).</summary>
    public float LogStdLearningRate { get; set; } = 1e-2f;

    internal void Validate()
    {
        if (!(Gamma >= 0f && Gamma <= 1f)) throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must lie in [0, 1].");
        if (!(Lambda >= 0f && Lambda <= 1f)) throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "Lambda must lie in [0, 1].");
        if (RolloutLength < 1) throw new ArgumentOutOfRangeException(nameof(RolloutLength), RolloutLength, "RolloutLength must be at least 1.");
        if (!(EntropyCoefficient >= 0f)) throw new ArgumentOutOfRangeException(nameof(EntropyCoefficient), EntropyCoefficient, "EntropyCoefficient must be non-negative.");
        if (!(InitialLogStd > -10f && InitialLogStd < 5f)) throw new ArgumentOutOfRangeException(nameof(InitialLogStd), InitialLogStd, "InitialLogStd must lie in (-10, 5).");
        if (!(LogStdLearningRate >= 0f)) throw new ArgumentOutOfRangeException(nameof(LogStdLearningRate), LogStdLearningRate, "LogStdLearningRate must be non-negative.");
    }
}

/// <summary>
/// Synchronous advantage actor-critic (A2C) for many agents sharing one actor and one critic: each
/// <see cref="Act"/> answers every agent with one batched call, <c>Record</c> stores the
/// outcome, and every <see cref="ActorCriticOptions.RolloutLength"/> steps the learner computes GAE
/// advantages and takes one policy-gradient step (−A·log π − β·H) and one value step (MSE to the
/// returns). Discrete actions or a Gaussian policy for continuous ones. Allocates nothing per step.
/// </summary>
public sealed class ActorCriticLearner
{
    private const float MinLogStd = -5f, MaxLogStd = 2f;
    private readonly ActorCriticOptions _options;
    private readonly SeededRandom _random;
    private readonly int _agents, _inputs, _outputs, _actionSize, _steps;
    private readonly float[] _observations, _actions, _rewards, _dones, _values, _advantages, _returns;
    private readonly float[] _scratchOut, _scratchGradient, _bootstrap, _logStd;
    private readonly double[] _logStdGradient;
    private int _t;
    private bool _awaitingRecord;

    /// <summary>Whether an exploring <see cref="Act"/> is waiting for its outcome (<see cref="Record(ReadOnlySpan{float}, ReadOnlySpan{bool})"/>).</summary>
    internal bool AwaitingRecord => _awaitingRecord;

    /// <summary>Creates a learner for <paramref name="agents"/> agents.</summary>
    /// <param name="actor">Policy network: Inputs = observation size, linear output layer (logits or means).</param>
    /// <param name="critic">Value network: same Inputs, one linear output.</param>
    /// <param name="agents">Agents acting each step, at least 1.</param>
    /// <param name="kind">Discrete or Gaussian policy.</param>
    /// <param name="options">Hyperparameters (defaults when null).</param>
    /// <param name="seed">Seed for action sampling.</param>
    public ActorCriticLearner(Brain actor, Brain critic, int agents, PolicyKind kind, ActorCriticOptions? options, ulong seed)
    {
        Actor = actor ?? throw new ArgumentNullException(nameof(actor));
        Critic = critic ?? throw new ArgumentNullException(nameof(critic));
        Actor.StepFilter ??= new SpikeGuard();   // a spike guard unless the caller set a filter
        Critic.StepFilter ??= new SpikeGuard();
        if (agents < 1) throw new ArgumentOutOfRangeException(nameof(agents), agents, "agents must be at least 1.");
        if (critic.Inputs != actor.Inputs) throw new ArgumentException($"critic takes {critic.Inputs} inputs but the actor takes {actor.Inputs}.", nameof(critic));
        if (critic.Outputs != 1) throw new ArgumentException($"The critic must have one output (the value); it has {critic.Outputs}.", nameof(critic));
        LearnerChecks.RequireLinearOutput(actor, nameof(actor), "The actor", "logits or means");
        LearnerChecks.RequireLinearOutput(critic, nameof(critic), "The critic");
        if (kind == PolicyKind.Discrete && actor.Outputs < 2) throw new ArgumentException("A discrete policy needs at least 2 actions.", nameof(actor));
        _options = options ?? new ActorCriticOptions();
        _options.Validate();
        Kind = kind;
        _random = new SeededRandom(seed);
        _agents = agents;
        _inputs = actor.Inputs;
        _outputs = actor.Outputs;
        _actionSize = kind == PolicyKind.Discrete ? 1 : _outputs;
        _steps = _options.RolloutLength;
        int rows = _steps * agents;
        _observations = new float[rows * _inputs];
        _actions = new float[rows * _actionSize];
        _rewards = new float[rows];
        _dones = new float[rows];
        _values = new float[rows];
        _advantages = new float[rows];
        _returns = new float[rows];
        int chunk = Math.Max(actor.MaxBatch, critic.MaxBatch);
        _scratchOut = new float[Math.Max(agents, chunk) * Math.Max(_outputs, 1)];
        _scratchGradient = new float[chunk * Math.Max(_outputs, 1)];
        _bootstrap = new float[agents];
        _logStd = new float[_outputs];
        _logStdGradient = new double[_outputs];
        _logStd.AsSpan().Fill(_options.InitialLogStd);
    }

    /// <summary>The policy network.</summary>
    public Brain Actor { get; }

    /// <summary>The value network.</summary>
    public Brain Critic { get; }

    /// <summary>Discrete or Gaussian.</summary>
    public PolicyKind Kind { get; }

    /// <summary>Agents per step.</summary>
    public int Agents => _agents;

    /// <summary>Floats per action: 1 (an index) for discrete policies, the actor's outputs for Gaussian ones.</summary>
    public int ActionSize => _actionSize;

    /// <summary>Updates taken.</summary>
    public long Updates { get; private set; }

    /// <summary>Agent-steps recorded.</summary>
    public long Steps { get; private set; }

    /// <summary>Mean policy loss of the last update (−A·log π − β·H, advantages normalised if asked).</summary>
    public float LastPolicyLoss { get; private set; }

    /// <summary>Mean squared value error of the last update.</summary>
    public float LastValueLoss { get; private set; }

    /// <summary>Mean policy entropy (nats per agent) in the last update.</summary>
    public float LastEntropy { get; private set; }

    /// <summary>The learned log σ of a Gaussian policy (one per action dimension).</summary>
    public ReadOnlySpan<float> LogStd => _logStd;

    /// <summary>
    /// Chooses actions for every agent: sampled from the policy when <paramref name="explore"/>, else
    /// the most likely action (discrete) or the mean (Gaussian). When a rollout is complete, the
    /// learner first updates, bootstrapping from these observations.
    /// </summary>
    /// <param name="observations">(Agents, Inputs).</param>
    /// <param name="actions">(Agents, ActionSize): action indices as floats, or continuous actions.</param>
    /// <param name="explore">Sample (training) or act greedily (evaluation; nothing is stored).</param>
    public void Act(ReadOnlySpan<float> observations, Span<float> actions, bool explore = true)
    {
        Rollout.Need(observations.Length, _agents * _inputs, nameof(observations));
        Rollout.Need(actions.Length, _agents * _actionSize, nameof(actions));
        if (explore && _awaitingRecord) throw new InvalidOperationException("Call Record with the outcome of the previous Act before acting again.");
        if (explore && _t == _steps) Update(observations);
        Span<float> outputs = _scratchOut.AsSpan(0, _agents * _outputs);
        Actor.Predict(observations, outputs, _agents);
        for (int a = 0; a < _agents; a++)
        {
            Span<float> row = outputs.Slice(a * _outputs, _outputs);
            Span<float> action = actions.Slice(a * _actionSize, _actionSize);
            if (Kind == PolicyKind.Discrete)
            {
                action[0] = explore ? SampleSoftmax(row) : Metrics.ArgMax(row);
            }
            else
            {
                for (int k = 0; k < _outputs; k++) action[k] = explore ? row[k] + MathF.Exp(_logStd[k]) * _random.NextGaussian() : row[k];
            }
        }
        if (!explore) return;
        int offset = _t * _agents;
        observations.Slice(0, _agents * _inputs).CopyTo(_observations.AsSpan(offset * _inputs));
        actions.Slice(0, _agents * _actionSize).CopyTo(_actions.AsSpan(offset * _actionSize));
        Critic.Predict(observations, _values.AsSpan(offset, _agents), _agents);
        _awaitingRecord = true;
    }

    /// <summary>Records the outcome of the last exploring <see cref="Act"/>.</summary>
    /// <param name="rewards">(Agents) rewards.</param>
    /// <param name="terminated">(Agents) true where the episode really ended (no bootstrapping).</param>
    public void Record(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated) => Record(rewards, terminated, default, default);

    /// <summary>
    /// Records the outcome of the last exploring <see cref="Act"/>, with time-limit truncations: for a
    /// truncated agent the reward is extended by γ·V(final observation) and the episode is cut there.
    /// </summary>
    /// <param name="rewards">(Agents) rewards.</param>
    /// <param name="terminated">(Agents) true where the episode really ended.</param>
    /// <param name="truncated">(Agents) true where a time limit cut the episode; empty for none.</param>
    /// <param name="finalObservations">(Agents, Inputs): the last observation of truncated agents (other rows ignored); empty when none.</param>
    public void Record(ReadOnlySpan<float> rewards, ReadOnlySpan<bool> terminated, ReadOnlySpan<bool> truncated, ReadOnlySpan<float> finalObservations)
    {
        if (!_awaitingRecord) throw new InvalidOperationException("Record follows an exploring Act.");
        int offset = _t * _agents;
        Rollout.Record(Critic, _options.Gamma, _agents, _inputs, rewards, terminated, truncated, finalObservations, _bootstrap,
            _rewards.AsSpan(offset, _agents), _dones.AsSpan(offset, _agents));
        _t++;
        Steps += _agents;
        _awaitingRecord = false;
    }

    private void Update(ReadOnlySpan<float> nextObservations)
    {
        int rows = _steps * _agents;
        Critic.Predict(nextObservations, _bootstrap, _agents);
        Rollout.Advantages(_options.Gamma, _options.Lambda, _steps, _agents, _rewards, _dones, _values, _bootstrap, _advantages, _returns);
        if (_options.NormalizeAdvantages && rows > 1)
        {
            double mean = 0, variance = 0;
            for (int i = 0; i < rows; i++) mean += _advantages[i];
            mean /= rows;
            for (int i = 0; i < rows; i++) variance += (_advantages[i] - mean) * (_advantages[i] - mean);
            float std = (float)Math.Sqrt(variance / rows) + 1e-8f;
            for (int i = 0; i < rows; i++) _advantages[i] = (float)((_advantages[i] - mean) / std);
        }
        UpdateActor(rows);
        UpdateCritic(rows);
        _t = 0;
        Updates++;
    }

    private void UpdateActor(int rows)
    {
        float scale = 1f / rows, beta = _options.EntropyCoefficient;
        double policyLoss = 0, entropy = 0;
        Array.Clear(_logStdGradient, 0, _logStdGradient.Length);
        int chunk = Actor.MaxBatch, k = _outputs;
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            ReadOnlySpan<float> outputs = Actor.Forward(_observations.AsSpan(start * _inputs, n * _inputs), n);
            Span<float> gradient = _scratchGradient.AsSpan(0, n * k);
            for (int r = 0; r < n; r++)
            {
                int i = start + r;
                float advantage = _advantages[i];
                ReadOnlySpan<float> o = outputs.Slice(r * k, k);
                Span<float> g = gradient.Slice(r * k, k);
                if (Kind == PolicyKind.Discrete)
                {
                    // p = softmax(logits); log π(a) = logit_a − logsumexp. d(−A log π)/dlogit = −A(onehot − p);
                    // H = −Σ p log p, dH/dlogit_j = −p_j (log p_j + H).
                    float max = o[0];
                    for (int j = 1; j < k; j++) max = Math.Max(max, o[j]);
                    double sum = 0;
                    for (int j = 0; j < k; j++) sum += Math.Exp(o[j] - max);
                    double logSum = max + Math.Log(sum), h = 0;
                    for (int j = 0; j < k; j++) { double lp = o[j] - logSum; h -= Math.Exp(lp) * lp; }
                    int action = (int)_actions[i];
                    policyLoss -= advantage * (o[action] - logSum) + beta * h;
                    entropy += h;
                    for (int j = 0; j < k; j++)
                    {
                        double lp = o[j] - logSum, p = Math.Exp(lp);
                        double d = -advantage * ((j == action ? 1 : 0) - p) + beta * p * (lp + h);
                        g[j] = (float)(d * scale);
                    }
                }
                else
                {
                    // log π = Σ −(a − μ)²/(2σ²) − log σ − ½log 2π; H = Σ log σ + ½(1 + log 2π).
                    for (int j = 0; j < k; j++)
                    {
                        float logStd = _logStd[j], variance = MathF.Exp(2f * logStd);
                        float diff = _actions[i * k + j] - o[j];
                        double logProb = -diff * diff / (2 * variance) - logStd - 0.5 * Math.Log(2 * Math.PI);
                        double h = logStd + 0.5 * (1 + Math.Log(2 * Math.PI));
                        policyLoss -= advantage * logProb + beta * h;
                        entropy += h;
                        g[j] = -advantage * diff / variance * scale;                               // d(−A log π)/dμ
                        _logStdGradient[j] += (-advantage * (diff * diff / variance - 1.0) - beta) * scale;  // d(−A log π − βH)/d log σ
                    }
                }
            }
            Actor.Backward(gradient, n);
        }
        Actor.ApplyGradients();
        if (Kind == PolicyKind.Gaussian)
        {
            for (int j = 0; j < k; j++)
            {
                float step = (float)(_options.LogStdLearningRate * _logStdGradient[j]);
                if (float.IsNaN(step) || float.IsInfinity(step)) continue;
                _logStd[j] = Math.Max(MinLogStd, Math.Min(MaxLogStd, _logStd[j] - step));
            }
        }
        LastPolicyLoss = (float)(policyLoss / rows);
        LastEntropy = (float)(entropy / rows);
    }

    private void UpdateCritic(int rows)
    {
        int chunk = Critic.MaxBatch;
        double loss = 0;
        float scale = 2f / rows;
        for (int start = 0; start < rows; start += chunk)
        {
            int n = Math.Min(chunk, rows - start);
            ReadOnlySpan<float> values = Critic.Forward(_observations.AsSpan(start * _inputs, n * _inputs), n);
            Span<float> gradient = _scratchGradient.AsSpan(0, n);
            for (int r = 0; r < n; r++)
            {
                float error = values[r] - _returns[start + r];
                loss += error * error;
                gradient[r] = error * scale;                                                        // d mean (V − R)² / dV
            }
            Critic.Backward(gradient, n);
        }
        Critic.ApplyGradients();
        LastValueLoss = (float)(loss / rows);
    }

    private float SampleSoftmax(ReadOnlySpan<float> logits)
    {
        float max = logits[0];
        for (int j = 1; j < logits.Length; j++) max = Math.Max(max, logits[j]);
        double sum = 0;
        for (int j = 0; j < logits.Length; j++) sum += Math.Exp(logits[j] - max);
        double u = _random.NextDouble() * sum, acc = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            acc += Math.Exp(logits[j] - max);
            if (u < acc) return j;
        }
        return logits.Length - 1;
    }

}
